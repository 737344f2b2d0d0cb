// Building elements from nodes, never from HTML strings: configuration text only ever becomes a text node.

/**
 * Create an element. Attributes starting with "on" are listeners; strings and nodes in kids are appended.
 * @param {string} tag
 * @param {Object<string,*>=} attrs
 * @param {...(string|Node|null|false)} kids
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const k in attrs || {}) {
    const v = attrs[k];
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el && k !== 'role' && !k.startsWith('aria')) el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) if (kid != null && kid !== false) el.append(kid);
  return el;
}

/**
 * Add a stylesheet carrying our script's nonce so a strict style-src CSP accepts it.
 * @param {string} css
 * @param {string} nonce
 */
export function addStyle(css, nonce) {
  const st = h('style', {}, css);
  if (nonce) st.nonce = nonce;
  (document.head || document.documentElement).append(st);
}

/** Run fn once the DOM is parsed (now, if it already is). @param {function():void} fn */
export function onReady(fn) {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
  else fn();
}
