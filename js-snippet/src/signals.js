// Mapping purposes to the outside world's names: Google Consent Mode signals and WP Consent API categories.

/**
 * Combine per-purpose choices into per-name grants for one mapping key. A name shared by several
 * purposes (e.g. "marketing" for ads, YouTube and affiliate) is granted only when all of them are.
 * @param {import('./constants.js').Purpose[]} purposes
 * @param {Object<string,boolean>} choices
 * @param {'google_consent_signals'|'wp_consent_categories'} key
 * @returns {Object<string,boolean>}
 */
export function combine(purposes, choices, key) {
  const out = {};
  for (const p of purposes) for (const name of p[key] || []) out[name] = out[name] !== false && !!choices[p.purpose];
  return out;
}
