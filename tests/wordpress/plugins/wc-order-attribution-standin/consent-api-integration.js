/* Test only: WooCommerce's WP Consent API integration, as documented (marketing gates order attribution). */
(function () {
  'use strict';
  document.addEventListener('wp_listen_for_consent_change', function (event) {
    var detail = event.detail || {};
    if (detail.marketing) window.wc_order_attribution.setOrderTracking(detail.marketing === 'allow');
  });
  document.addEventListener('wp_consent_type_defined', function () {
    window.wc_order_attribution.setOrderTracking(window.wp_has_consent('marketing'));
  });
})();
