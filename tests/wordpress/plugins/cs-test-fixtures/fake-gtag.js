/* Test only: stands in for gtag.js. Sets the GA4 cookie names the inventory lists. */
window.__fakeGtagLoaded = (window.__fakeGtagLoaded || 0) + 1;
document.cookie = '_ga=GA1.1.100.200; path=/; max-age=63072000; SameSite=Lax';
document.cookie = '_ga_TEST123=GS1.1.300; path=/; max-age=63072000; SameSite=Lax';
