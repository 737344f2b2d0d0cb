// Entry point: the served file runs this once, as the first script in <head>.
import { ACTIONS, ATTR_OPEN, CONFIG_SLOT, EVENT_ERROR, GPC_DENIED, ORDER_TRACKING_PURPOSE } from './constants.js';
import { addStyle, onReady } from './dom.js';
import { gcmDefault, gcmUpdate } from './gcm.js';
import { wpAnnounce, wpApply, wpDeclare, orderTracking } from './wp.js';
import { flush, report } from './transport.js';
import { createState } from './consent.js';
import { createUI } from './ui.js';
import { createBlocker } from './blocker.js';
import { purge } from './cleanup.js';
import css from './style.css';

/** @param {import('./constants.js').Config} cfg */
function main(cfg) {
  const d = document;
  const nonce = (d.currentScript && d.currentScript.nonce) || '';
  const purposes = cfg.purposes;
  const tag = (d.documentElement.lang || '').slice(0, 2).toLowerCase();
  const lang = cfg.texts[tag] ? tag : cfg.default_language;
  const url = cfg.endpoints.consents;
  let ready = false;

  // Consent Mode default and the WP consent type come before anything else can run.
  gcmDefault(purposes, Object.fromEntries(purposes.map((p) => [p.purpose, p.required])));
  wpDeclare();

  // The WP Consent API and WooCommerce print their scripts after ours: wait for them.
  function bridges(choices) {
    if (!ready) return;
    orderTracking(!!choices[ORDER_TRACKING_PURPOSE]);
    if (!wpApply(purposes, choices)) addEventListener('load', () => wpApply(purposes, state.choices()), { once: true });
  }

  // A refused report (4xx) is final: the decision holds on this page but was not logged and has
  // no receipt. Say so instead of keeping quiet, and do not queue it to be refused again.
  function refused(refusal, body) {
    console.warn('consent-server: decision not recorded (' + refusal.status + ' ' + refusal.code + ')');
    d.dispatchEvent(new CustomEvent(EVENT_ERROR, { detail: Object.assign({ action: body.action }, refusal) }));
  }

  const state = createState(cfg, {
    apply(choices, revoked) {
      gcmUpdate(purposes, choices);
      bridges(choices);
      blocker.scan();
      revoked.forEach((n) => purge(purposes.find((p) => p.purpose === n)));
      if (revoked.length) ui.notice();
      ui.close();
    },
    report: (body) => report(url, body, state.receipt, refused),
  });
  const decide = (want, action) => state.decide(want, action, lang);
  const ui = createUI({
    cfg, lang, t: cfg.texts[lang], current: state.current, decide,
    allow: (p) => decide(Object.assign(state.choices(), { [p]: true }), ACTIONS.placeholder),
  });
  const blocker = createBlocker(state.has, nonce, ui.placeholder);
  blocker.watch();

  window.ConsentServer = {
    has: state.has, get: state.get, onChange: state.onChange, open: ui.prefs,
  };
  addStyle(css, nonce);
  flush(url, state.receipt, refused);

  if (state.current()) gcmUpdate(purposes, state.choices());
  else {
    // GPC: ads and affiliate denied at once and logged; the banner still asks, and an explicit choice wins.
    if (navigator.globalPrivacyControl === true) {
      decide(Object.fromEntries(purposes.map((p) => [p.purpose, p.required && !GPC_DENIED.includes(p.purpose)])), ACTIONS.gpc);
    }
    ui.banner();
  }

  d.addEventListener('click', (e) => {
    const el = e.target.closest && e.target.closest('[' + ATTR_OPEN + ']');
    if (el) {
      e.preventDefault();
      ui.prefs();
    }
  });

  onReady(() => {
    ready = true;
    // While the banner asks again, the WP Consent API's cookies still say what the old decision allowed:
    // pass on "nothing but the required purposes" until the visitor decides. A first visit sets nothing.
    if (state.current() || state.asksAgain) bridges(state.choices());
    wpAnnounce();
    blocker.start();
  });
}

const cfg = /** @type {*} */ (CONFIG_SLOT);
if (typeof cfg === 'object' && !window.ConsentServer) main(cfg);
