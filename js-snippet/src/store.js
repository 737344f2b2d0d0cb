// Consent state storage: the cs_consent cookie (read by the WordPress plugin too) and the pending-report queue.
import { COOKIE, PENDING, PENDING_MAX } from './constants.js';

/** Read the cs_consent cookie. @returns {?import('./constants.js').Stored} */
export function readCookie() {
  const m = document.cookie.match(new RegExp('(?:^|; )' + COOKIE + '=([^;]*)'));
  try {
    const d = m && JSON.parse(decodeURIComponent(m[1]));
    return d && typeof d.c === 'object' && typeof d.t === 'number' ? d : null;
  } catch (e) {
    return null;
  }
}

/**
 * Write the cookie, keys in the contract's order.
 * @param {import('./constants.js').Stored} s
 * @param {number} days
 */
export function writeCookie(s, days) {
  const value = { v: s.v, p: s.p, c: s.c, r: s.r, t: s.t };
  document.cookie = COOKIE + '=' + encodeURIComponent(JSON.stringify(value)) + ';path=/;max-age=' +
    Math.round(days * 86400) + ';SameSite=Lax' + (location.protocol === 'https:' ? ';Secure' : '');
}

/** Queue of report bodies that did not reach the server. */
export const queue = {
  /** @returns {Object[]} */
  take() {
    try {
      const list = JSON.parse(localStorage.getItem(PENDING) || '[]');
      localStorage.removeItem(PENDING);
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  },
  /** @param {Object} body */
  add(body) {
    try {
      const list = JSON.parse(localStorage.getItem(PENDING) || '[]');
      list.push(body);
      localStorage.setItem(PENDING, JSON.stringify(list.slice(-PENDING_MAX)));
    } catch (e) { /* storage blocked: the report is lost, the decision still holds */ }
  },
};
