/*
 * Test only: the WP Consent API's browser contract, written from its
 * documentation. Records every wp_set_consent call in
 * window.__wpConsentStandinCalls so the tests can see what the banner called.
 */
(function () {
  'use strict';
  var cfg = window.consent_api || {};
  var prefix = cfg.cookie_prefix || 'wp_consent';
  var calls = (window.__wpConsentStandinCalls = window.__wpConsentStandinCalls || []);
  window.wp_fallback_consent_type = cfg.consent_type;
  window.waitfor_consent_hook = cfg.waitfor_consent_hook;

  function getCookie(name) {
    var parts = document.cookie.split(';');
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      if (part.indexOf(name + '=') === 0) return part.substring(name.length + 1);
    }
    return '';
  }

  function setCookie(name, value) {
    var days = Number(cfg.cookie_expiration || 30);
    var secure = location.protocol === 'https:' ? ';secure' : '';
    document.cookie = name + '=' + value + ';max-age=' + days * 86400 + ';path=/' + secure;
  }

  function consentType() {
    return typeof window.wp_consent_type !== 'undefined' ? window.wp_consent_type : window.wp_fallback_consent_type;
  }

  window.consent_api_get_cookie = getCookie;
  window.consent_api_set_cookie = setCookie;

  window.wp_has_consent = function (category) {
    var type = consentType();
    var value = getCookie(prefix + '_' + category);
    if (!type) return true;
    if (type.indexOf('optout') !== -1 && value === '') return true;
    return value === 'allow';
  };

  window.wp_set_consent = function (category, value) {
    calls.push([category, value]);
    if (value !== 'allow' && value !== 'deny') return;
    var previous = getCookie(prefix + '_' + category);
    setCookie(prefix + '_' + category, value);
    if (previous === value) return;
    var detail = [];
    detail[category] = value; // An Array used as a map, as documented.
    document.dispatchEvent(new CustomEvent('wp_listen_for_consent_change', { detail: detail }));
  };

  function services() {
    try {
      return JSON.parse(decodeURIComponent(getCookie(prefix + '_consented_services'))) || {};
    } catch (e) {
      return {};
    }
  }

  window.wp_has_service_consent = function (service) {
    var known = services();
    return Object.prototype.hasOwnProperty.call(known, service) ? !!known[service] : window.wp_has_consent('marketing');
  };

  window.wp_set_service_consent = function (service, consented) {
    var known = services();
    known[service] = !!consented;
    setCookie(prefix + '_consented_services', encodeURIComponent(JSON.stringify(known)));
    document.dispatchEvent(new CustomEvent('wp_consent_api_status_change_service', { detail: { service: service, value: !!consented } }));
  };
})();
