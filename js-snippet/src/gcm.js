// Google Consent Mode v2 through dataLayer, the way gtag.js expects it (an Arguments object per command).
import { GCM_BASE, GCM_WAIT_MS } from './constants.js';
import { combine } from './signals.js';

function gtag() {
  (window.dataLayer = window.dataLayer || []).push(arguments);
}

function states(purposes, choices) {
  const on = combine(purposes, choices, 'google_consent_signals');
  const out = {};
  for (const s of GCM_BASE) out[s] = 'denied';
  for (const s in on) out[s] = on[s] ? 'granted' : 'denied';
  return out;
}

/**
 * Push the default (everything that needs consent denied) before any tag can run.
 * @param {import('./constants.js').Purpose[]} purposes
 * @param {Object<string,boolean>} required  choices with only the required purposes granted
 */
export function gcmDefault(purposes, required) {
  gtag('consent', 'default', Object.assign(states(purposes, required), { wait_for_update: GCM_WAIT_MS }));
  gtag('set', 'ads_data_redaction', true);
}

/** Push an update for a decision. @param {import('./constants.js').Purpose[]} purposes @param {Object<string,boolean>} choices */
export function gcmUpdate(purposes, choices) {
  gtag('consent', 'update', states(purposes, choices));
}
