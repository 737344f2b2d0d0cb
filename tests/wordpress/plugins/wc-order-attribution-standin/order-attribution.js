/* Test only: WooCommerce order attribution's browser contract. Records setOrderTracking calls. */
(function () {
  'use strict';
  var ns = (window.wc_order_attribution = window.wc_order_attribution || { params: {} });
  var calls = (window.__wcOrderTrackingCalls = window.__wcOrderTrackingCalls || []);
  var names = ['sbjs_migrations', 'sbjs_current_add', 'sbjs_first_add', 'sbjs_current', 'sbjs_first', 'sbjs_udata', 'sbjs_session'];

  function write() {
    names.forEach(function (name) {
      document.cookie = name + '=stand-in; path=/' + (name === 'sbjs_session' ? '; max-age=1800' : '');
    });
  }

  function erase() {
    names.forEach(function (name) {
      document.cookie = name + '=; path=/; max-age=0';
    });
  }

  ns.setOrderTracking = function (allow) {
    calls.push(!!allow);
    ns.params.allowTracking = !!allow;
    if (allow) write();
    else erase();
  };

  if (ns.params && ns.params.allowTracking) write();
})();
