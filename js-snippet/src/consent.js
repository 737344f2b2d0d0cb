// The consent state of this visitor on this site, and what happens when it changes.
import { ACTIONS, EVENT_CHANGE, EVENT_WITHDRAW } from './constants.js';
import { readCookie, writeCookie } from './store.js';

/** Visitor id: a random UUID v4 (crypto.randomUUID needs a secure context, so build it). */
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const x = [...b].map((n) => (n + 256).toString(16).slice(1)).join('');
  return [x.slice(0, 8), x.slice(8, 12), x.slice(12, 16), x.slice(16, 20), x.slice(20)].join('-');
}

/**
 * @param {import('./constants.js').Config} cfg
 * @param {{apply:function(Object<string,boolean>,string[]):void, report:function(Object):void}} io
 */
export function createState(cfg, io) {
  const names = cfg.purposes.map((p) => p.purpose);
  const required = new Set(cfg.purposes.filter((p) => p.required).map((p) => p.purpose));
  const old = readCookie();
  // A decision holds from the latest material version on (consent_floor); older ones are asked again.
  const floor = cfg.consent_floor || cfg.policy_version;
  const fresh = old && old.p >= floor && old.p <= cfg.policy_version && names.every((n) => n in old.c) &&
    Date.now() / 1000 - old.t < cfg.max_age_days * 86400;
  /** @type {?import('./constants.js').Stored} */
  let cur = fresh ? old : null;
  let lastAction = null;
  const visitor = (old && typeof old.v === 'string' && old.v) || uuid();
  const listeners = [];

  const has = (p) => required.has(p) || !!(cur && cur.c[p]);
  const choices = () => Object.fromEntries(names.map((n) => [n, has(n)]));

  /** The decision as plugin authors see it (null before any). */
  function get() {
    return cur && {
      visitor_id: cur.v, policy_version: cur.p, choices: choices(), receipt_id: cur.r,
      time: cur.t, action: lastAction,
    };
  }

  /**
   * Record a decision: cookie, effects, event, report.
   * @param {Object<string,boolean>} want
   * @param {string} action
   * @param {string} language
   */
  function decide(want, action, language) {
    const before = cur && choices();
    const c = {};
    for (const n of names) c[n] = required.has(n) || !!want[n] ? 1 : 0;
    const revoked = before ? names.filter((n) => before[n] && !c[n]) : [];
    if (action === ACTIONS.custom && revoked.length && !names.some((n) => c[n] && !before[n])) action = ACTIONS.withdraw;
    const ms = Date.now();
    cur = { v: visitor, p: cfg.policy_version, c, r: null, t: Math.floor(ms / 1000) };
    lastAction = action;
    writeCookie(cur, cfg.max_age_days);
    io.apply(choices(), revoked);
    const detail = get();
    document.dispatchEvent(new CustomEvent(EVENT_CHANGE, { detail }));
    if (revoked.length) document.dispatchEvent(new CustomEvent(EVENT_WITHDRAW, { detail: { purposes: revoked } }));
    listeners.forEach((fn) => fn(detail));
    const body = {
      visitor_id: visitor, policy_version: cfg.policy_version, choices: choices(), action, language,
      page_url: location.origin + location.pathname, client_ts: new Date(ms).toISOString(),
    };
    io.report(body);
  }

  /**
   * Keep the server's receipt id in the cookie when the report belongs to the decision still in force.
   * @param {Object} rec  the server's answer
   * @param {Object} body  the report it answers
   */
  function receipt(rec, body) {
    const same = cur && body.visitor_id === cur.v && Math.floor(Date.parse(body.client_ts) / 1000) === cur.t;
    if (!same || !rec.receipt_id) return;
    cur.r = rec.receipt_id;
    writeCookie(cur, cfg.max_age_days);
  }

  return {
    has, choices, get, decide, receipt, visitor,
    // A stored decision that no longer holds: the banner asks again and the bridges must stop speaking for it.
    asksAgain: !!old && !fresh,
    current: () => cur,
    onChange: (fn) => listeners.push(fn),
  };
}
