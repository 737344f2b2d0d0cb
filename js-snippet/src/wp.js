// WP Consent API bridge (wp-consent-api.js loads in the footer, after us) and WooCommerce order attribution.
import { WP_TYPE, WP_TYPE_EVENT } from './constants.js';
import { combine } from './signals.js';

/** Declare opt-in before anything asks; without it wp_has_consent() answers true for everything. */
export function wpDeclare() {
  window.wp_consent_type = WP_TYPE;
}

/** Tell listeners (WooCommerce, Site Kit) that the type is set; the API never fires this itself. */
export function wpAnnounce() {
  document.dispatchEvent(new Event(WP_TYPE_EVENT));
}

/**
 * Pass a decision on to wp_set_consent for every mapped category, denials included.
 * @param {import('./constants.js').Purpose[]} purposes
 * @param {Object<string,boolean>} choices
 * @returns {boolean} false when the WP Consent API is not (yet) on the page
 */
export function wpApply(purposes, choices) {
  const set = window.wp_set_consent;
  if (typeof set !== 'function') return false;
  const cats = combine(purposes, choices, 'wp_consent_categories');
  for (const c in cats) set(c, cats[c] ? 'allow' : 'deny');
  return true;
}

/** WooCommerce order attribution, when present on the page. @param {boolean} allowed */
export function orderTracking(allowed) {
  const wc = window.wc_order_attribution;
  if (wc && typeof wc.setOrderTracking === 'function') wc.setOrderTracking(allowed);
}
