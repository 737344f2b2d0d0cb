"""Measure (not a test): install time, and a post's server-side render time with and without the plugin.

Run from the repository root: .venv/bin/python -m tests.wordpress.measure_render
Prints medians of 40 requests each on Debian's WordPress 6.1 under php -S; no threshold is asserted anywhere.
"""
import statistics
import time

import requests

from tests.wordpress import wp_harness as h

t0 = time.perf_counter(); wp = h.WordPress().start(); install = time.perf_counter() - t0
try:
    posts = wp.ops(activate=[h.FIXTURES_PLUGIN, h.WOOCOMMERCE_PLUGIN], posts=h.POSTS)["posts"]
    url = posts["shop"]["url"]
    def sample(n=40):
        for _ in range(5): requests.get(url)
        xs = []
        for _ in range(n):
            t = time.perf_counter(); r = requests.get(url); xs.append(time.perf_counter() - t); assert r.ok
        return statistics.median(xs) * 1000, len(r.content)
    off = sample()
    wp.ops(activate=[h.OUR_PLUGIN], options={"consent_server_url": "http://127.0.0.1:9", "consent_server_site": "wpshop"})
    on = sample()
    print(f"install+serve {install:.2f}s; median render without plugin {off[0]:.1f} ms ({off[1]} B), with plugin {on[0]:.1f} ms ({on[1]} B)")
finally:
    wp.stop()
