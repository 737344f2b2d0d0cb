// Reporting decisions to the server. The page never waits: fetch with keepalive, failures queued.
import { queue } from './store.js';

/**
 * @typedef {{status:number, code:string}} Refusal  a 4xx answer: final, retrying would be refused again
 */

/**
 * POST one report. Resolves to {receipt} on success or {refusal} for a 4xx the server will never
 * accept; rejects on network errors, 5xx and 429 so the caller can queue it.
 * @param {string} url
 * @param {Object} body
 * @returns {Promise<{receipt:?Object, refusal:?Refusal}>}
 */
export function post(url, body) {
  return fetch(url, {
    method: 'POST', keepalive: true, credentials: 'omit', mode: 'cors',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }).then((r) => {
    if (r.status >= 500 || r.status === 429) throw new Error(String(r.status));
    return r.json().catch(() => ({})).then((data) => (r.ok
      ? { receipt: data, refusal: null }
      : { receipt: null, refusal: { status: r.status, code: String(data.code || 'refused') } }));
  });
}

/**
 * Send a report; queue it in localStorage when it fails, tell `onRefusal` when it is refused.
 * @param {string} url
 * @param {Object} body
 * @param {function(Object,Object):void} onReceipt  called with (receipt, body)
 * @param {function(Refusal,Object):void} onRefusal  called with (refusal, body)
 */
export function report(url, body, onReceipt, onRefusal) {
  post(url, body).then(
    (res) => (res.refusal ? onRefusal(res.refusal, body) : onReceipt(res.receipt, body)),
    () => queue.add(body),
  );
}

/**
 * Retry the reports queued on earlier page views.
 * @param {string} url @param {function(Object,Object):void} onReceipt @param {function(Refusal,Object):void} onRefusal
 */
export function flush(url, onReceipt, onRefusal) {
  queue.take().forEach((body) => report(url, body, onReceipt, onRefusal));
}
