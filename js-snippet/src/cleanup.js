// Withdrawal: remove a purpose's first-party storage named in the inventory (patterns like _ga_* too).
import { COOKIE } from './constants.js';

/** @param {string} pattern @returns {RegExp} */
function toRegExp(pattern) {
  return new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

function expire(name) {
  const parts = location.hostname.split('.');
  const domains = [''];
  for (let i = 0; i < parts.length - 1; i++) domains.push(';domain=.' + parts.slice(i).join('.'));
  for (const d of domains) document.cookie = name + '=;path=/;max-age=0' + d;
}

function clearStorage(store, re) {
  try {
    for (const k of Object.keys(store)) if (re.test(k)) store.removeItem(k);
  } catch (e) { /* storage blocked */ }
}

/**
 * Delete what the purpose's services store on the site's own domain.
 * @param {import('./constants.js').Purpose} purpose
 */
export function purge(purpose) {
  // Our own cookie stays whatever a pattern says (an inventory may list a bare "*").
  const names = document.cookie.split('; ').map((c) => c.split('=')[0]).filter((n) => n && n !== COOKIE);
  for (const svc of purpose.services || []) {
    for (const item of svc.storage || []) {
      if (item.party !== 'first') continue;
      const re = toRegExp(item.name);
      if (item.type === 'cookie') names.filter((n) => re.test(n)).forEach(expire);
      else if (item.type === 'localStorage') clearStorage(localStorage, re);
      else if (item.type === 'sessionStorage') clearStorage(sessionStorage, re);
    }
  }
}
