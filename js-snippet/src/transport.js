// Reporting decisions to the server. The page never waits: fetch with keepalive, failures queued.
import { queue } from './store.js';

/**
 * POST one report. Resolves to the receipt (or null for a 4xx the server will never accept);
 * rejects on network errors, 5xx and 429 so the caller can queue it.
 * @param {string} url
 * @param {Object} body
 * @returns {Promise<?Object>}
 */
export function post(url, body) {
  return fetch(url, {
    method: 'POST', keepalive: true, credentials: 'omit', mode: 'cors',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }).then((r) => {
    if (r.status >= 500 || r.status === 429) throw new Error(String(r.status));
    return r.ok ? r.json() : null;
  });
}

/**
 * Send a report; queue it in localStorage when it fails.
 * @param {string} url
 * @param {Object} body
 * @param {function(Object,Object):void} onReceipt  called with (receipt, body)
 */
export function report(url, body, onReceipt) {
  post(url, body).then((rec) => rec && onReceipt(rec, body), () => queue.add(body));
}

/** Retry the reports queued on earlier page views. @param {string} url @param {function(Object,Object):void} onReceipt */
export function flush(url, onReceipt) {
  queue.take().forEach((body) => report(url, body, onReceipt));
}
