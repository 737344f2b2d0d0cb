// A stand-in for wp-consent-api.js (WordPress/wp-consent-level-api 2.0.1), written from its documented contract
// (docs in /work/shared/REFERENCE.md): global wp_has_consent / wp_set_consent / consent_api_get_cookie /
// consent_api_set_cookie, cookies wp_consent_<category> = allow|deny, and wp_listen_for_consent_change fired by
// wp_set_consent only when a value changes, with an Array used as a map as its detail. Printed at the end of <body>.
// It also stands in for WooCommerce's order attribution object. Every call is recorded for the tests.
(function () {
  var prefix = 'wp_consent';
  var log = (window.__wp = { calls: [], events: [], tracking: [] });
  function getCookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? m[1] : '';
  }
  function setCookie(name, value) {
    document.cookie = name + '=' + value + ';path=/;max-age=' + 30 * 86400 + ';SameSite=Lax';
  }
  window.consent_api_get_cookie = getCookie;
  window.consent_api_set_cookie = setCookie;
  window.wp_has_consent = function (category) {
    var type = window.wp_consent_type || '';
    if (!type) return true; // the documented pitfall: no consent type means consent for everything
    var value = getCookie(prefix + '_' + category);
    return type === 'optin' ? value === 'allow' : value !== 'deny';
  };
  window.wp_set_consent = function (category, value) {
    log.calls.push([category, value]);
    if (value !== 'allow' && value !== 'deny') return;
    var previous = getCookie(prefix + '_' + category);
    setCookie(prefix + '_' + category, value);
    if (previous !== value) {
      var detail = [];
      detail[category] = value;
      document.dispatchEvent(new CustomEvent('wp_listen_for_consent_change', { detail: detail }));
    }
  };
  document.addEventListener('wp_consent_type_defined', function () {
    log.events.push(['type_defined', window.wp_consent_type]);
  });
  document.addEventListener('wp_listen_for_consent_change', function (e) {
    for (var category in e.detail) log.events.push(['change', category, e.detail[category]]);
  });
  window.wc_order_attribution = {
    setOrderTracking: function (allow) { log.tracking.push(allow); },
  };
})();
