// The two layers (banner and preferences) and the placeholders. Modal dialogs: focus moves in, is trapped,
// and returns to where it was; Escape leaves the preferences without deciding.
import { ACTIONS } from './constants.js';
import { h, onReady } from './dom.js';

const FOCUSABLE = 'a[href],button:not(:disabled),input:not(:disabled),summary';
const UNITS = [['year', 31536000], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];

/**
 * @typedef {{cfg:import('./constants.js').Config, lang:string, t:Object<string,string>,
 *   current:function():?import('./constants.js').Stored,
 *   decide:function(Object<string,boolean>,string):void, allow:function(string):void}} UiContext
 */

/** @param {UiContext} cx */
export function createUI(cx) {
  const { cfg, lang, t } = cx;
  let box = null;
  let opener = null;

  const loc = (o) => (o && (o[lang] || o[cfg.default_language])) || '';
  const all = (on) => Object.fromEntries(cfg.purposes.map((p) => [p.purpose, on || p.required]));

  function duration(d) {
    if (d === 'session') return t.session_label;
    if (typeof d !== 'number') return t.persistent_label;
    const [unit, s] = UNITS.find((u) => d >= u[1]) || UNITS[4];
    return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }).format(Math.round(d / s));
  }

  function trap(e) {
    if (e.key === 'Escape') {
      if (box.classList.contains('cs-2')) {
        e.preventDefault();
        back();
      }
      return;
    }
    if (e.key !== 'Tab') return;
    const f = [...box.querySelectorAll(FOCUSABLE)].filter((x) => x.getClientRects().length);
    const at = document.activeElement;
    if (e.shiftKey ? at === f[0] || at === box : at === f[f.length - 1]) {
      e.preventDefault();
      f[e.shiftKey ? f.length - 1 : 0].focus();
    }
  }

  function mount(el) {
    if (box) box.remove();
    else opener = document.activeElement;
    box = el;
    // In <head> there is no body yet: show at once under <html>, move into <body> when it exists.
    (document.body || document.documentElement).append(el);
    onReady(() => {
      if (box !== el) return;
      if (el.parentNode !== document.body) document.body.append(el);
      el.focus();
    });
  }

  function dialog(cls, ...kids) {
    return h('div', {
      className: 'cs ' + cls, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'cs-t',
      tabIndex: -1, lang, onkeydown: trap,
    }, ...kids);
  }

  function buttons(list) {
    return h('div', { className: 'cs-bs' },
      list.map(([key, fn]) => h('button', { type: 'button', className: 'cs-btn', onclick: fn }, t[key])));
  }

  const accept = () => cx.decide(all(true), ACTIONS.accept);
  const reject = () => cx.decide(all(false), ACTIONS.reject);

  /** Show the first layer. */
  function banner() {
    mount(dialog('cs-1',
      h('h2', { id: 'cs-t' }, t.banner_title),
      h('p', { id: 'cs-d' }, t.banner_text, ' ', h('a', { href: cfg.endpoints.policy }, t.policy_link_label)),
      buttons([['accept_all', accept], ['reject_all', reject], ['customise', prefs]])));
    box.setAttribute('aria-describedby', 'cs-d');
  }

  function services(p) {
    if (!p.services || !p.services.length) return null;
    return h('details', {}, h('summary', {}, t.services_label + ' (' + p.services.length + ')'),
      h('ul', {}, p.services.map((s) => h('li', {},
        h('a', { href: s.privacy_policy_url }, s.name), ' – ' + s.provider + ', ' + s.country,
        h('ul', {}, (s.storage || []).map((i) => h('li', {}, h('code', {}, i.name),
          ' (' + (i.domain || location.hostname) + ') ' + t.duration_label + ': ' + duration(i.duration))))))));
  }

  /** Show the second layer: one switch per purpose, off unless granted before. */
  function prefs() {
    const cur = cx.current();
    const sw = {};
    const rows = cfg.purposes.map((p) => {
      const id = 'cs-p-' + p.purpose;
      sw[p.purpose] = h('input', {
        type: 'checkbox', role: 'switch', id, disabled: p.required, 'aria-describedby': id + '-d',
        checked: p.required || !!(cur && cur.c[p.purpose]),
      });
      return h('div', { className: 'cs-p' },
        h('label', { className: 'cs-sw' }, sw[p.purpose], loc(p.title),
          p.required && h('span', { className: 'cs-on' }, t.always_on)),
        h('p', { id: id + '-d' }, loc(p.description)),
        services(p));
    });
    const save = () => cx.decide(Object.fromEntries(Object.entries(sw).map(([k, el]) => [k, el.checked])), ACTIONS.custom);
    mount(dialog('cs-2',
      h('div', { className: 'cs-hd' }, h('h2', { id: 'cs-t' }, t.preferences_title),
        h('button', { type: 'button', className: 'cs-x', 'aria-label': t.close, onclick: back }, '×')),
      h('p', {}, t.preferences_text),
      rows,
      cur && cur.r && h('p', { className: 'cs-r' }, t.receipt_label + ': ',
        h('a', { href: cfg.endpoints.receipts + encodeURIComponent(cur.r) }, h('code', {}, cur.r)), ' · ',
        h('a', { href: cfg.endpoints.visitors + cur.v + '/receipts?receipt=' + encodeURIComponent(cur.r) },
          t.download_receipts)),
      buttons([['accept_all', accept], ['reject_all', reject], ['save', save]])));
  }

  /** Leave the preferences: back to the banner if nothing was decided yet. */
  function back() {
    if (cx.current()) close();
    else banner();
  }

  /** Remove whichever layer is shown and give focus back. */
  function close() {
    if (!box) return;
    box.remove();
    box = null;
    if (opener && opener.focus && opener !== document.body) opener.focus();
    opener = null;
  }

  /** Build the placeholder for a blocked iframe or image. */
  function placeholder(el, purpose, loadOnce) {
    const p = cfg.purposes.find((x) => x.purpose === purpose);
    const svc = (p && p.services) || [];
    const names = svc.map((s) => s.name).join(', ') || loc(p && p.title) || purpose;
    const storage = [...new Set(svc.flatMap((s) => (s.storage || []).map((i) => (i.name === '*' ? i.domain : i.name))))];
    const ph = h('div', { className: 'cs-ph', lang },
      h('p', { className: 'cs-pt' }, names + (el.title ? ': ' + el.title : '')),
      h('p', {}, t.placeholder_text),
      storage.length > 0 && h('p', {}, t.storage_label + ': ' + storage.join(', ')),
      h('button', { type: 'button', className: 'cs-btn', onclick: loadOnce }, t.placeholder_load_once),
      p && h('button', { type: 'button', className: 'cs-btn', onclick: () => cx.allow(purpose) }, t.placeholder_allow_all));
    // Take the frame's box so nothing moves when it loads (CSSOM, which a strict style-src allows).
    if (el.tagName === 'IFRAME') {
      const px = (v) => (/^\d+$/.test(v) ? v + 'px' : v);
      ph.style.width = px(el.getAttribute('width') || '');
      ph.style.minHeight = px(el.getAttribute('height') || '');
    }
    return ph;
  }

  /** Say (politely, for screen readers too) that a reload completes a withdrawal. */
  function notice() {
    const n = h('div', { className: 'cs-n', role: 'status', lang }, t.reload_notice);
    onReady(() => document.body.append(n));
    setTimeout(() => n.remove(), 10000);
  }

  return { banner, prefs, close, placeholder, notice };
}
