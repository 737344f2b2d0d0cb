"""Banner-in-DOM time of our snippet against vanilla-cookieconsent 3.1.0, on the same page, in one headless
Chromium run; plus the size figures of the issue's budget.

    .venv/bin/python bench/snippet_bench.py [--runs 25]

vanilla-cookieconsent is installed from npm into a temporary folder for the comparison only (it is not a
dependency). Each run is a first visit: a new browser context (empty cache and cookies). Both pages carry the
same shop body; ours has our tag first in <head>, theirs follows its documented setup (its CSS in <head>, its
script and `CookieConsent.run()` at the end of <body>, since it needs <body>). The time is when the banner element
is first in the DOM (a MutationObserver installed before any page script), from navigation start.
Prints a JSON report and writes it to bench/results/snippet.json.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
CC_VERSION = "3.1.0"
CC_DIR = Path(tempfile.gettempdir()) / f"consent-bench-vanilla-cookieconsent-{CC_VERSION}"

SHOP_BODY = """<header><h1>Demobutiken</h1><p>En påhittad butik. <button type="button">Cookieinställningar</button></p>
</header><main><section aria-label="Produkter">
<article><h2>Kaffekopp</h2><p>129 kr</p></article><article><h2>Tekanna</h2><p>349 kr</p></article>
<article><h2>Linneduk</h2><p>259 kr</p></article></section></main>"""

OURS = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<script src="{server}/c/demo.js"></script><title>Bench: consent-server</title></head><body>{body}</body></html>"""

THEIRS = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<link rel="stylesheet" href="/cc/cookieconsent.css"><title>Bench: vanilla-cookieconsent</title></head>
<body>{body}<script src="/cc/cookieconsent.umd.js"></script><script src="/cc/run.js"></script></body></html>"""

# A configuration like the demo site's: necessary + four opt-in categories, one language.
CC_RUN = """CookieConsent.run({
  hideFromBots: false,  // Playwright sets navigator.webdriver; we show our banner to everyone too
  categories: {necessary: {enabled: true, readOnly: true}, analytics: {}, ads: {}, youtube: {}, affiliate: {}},
  language: {default: 'sv', translations: {sv: {
    consentModal: {title: 'Vi värnar om din integritet', description: 'Vi använder kakor.',
      acceptAllBtn: 'Godkänn alla', acceptNecessaryBtn: 'Neka alla', showPreferencesBtn: 'Välj själv'},
    preferencesModal: {title: 'Dina val', acceptAllBtn: 'Godkänn alla', acceptNecessaryBtn: 'Neka alla',
      savePreferencesBtn: 'Spara', sections: [
        {title: 'Nödvändiga', description: 'Krävs.', linkedCategory: 'necessary'},
        {title: 'Statistik', description: 'Statistik.', linkedCategory: 'analytics'},
        {title: 'Annonser', description: 'Annonser.', linkedCategory: 'ads'},
        {title: 'YouTube', description: 'Filmer.', linkedCategory: 'youtube'},
        {title: 'Affiliate', description: 'Affiliate.', linkedCategory: 'affiliate'}]}}}}
});"""

PROBE = """(() => {
  const sel = %s;
  const seen = () => { if (!window.__bannerAt && document.querySelector(sel)) window.__bannerAt = performance.now(); };
  new MutationObserver(seen).observe(document, {childList: true, subtree: true});
})();"""


def gzip9(data: bytes) -> int:
    """Bytes after gzip -9."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def install_cookieconsent() -> Path:
    """npm install vanilla-cookieconsent@3.1.0 into a temporary folder (once); returns its dist folder."""
    dist = CC_DIR / "node_modules" / "vanilla-cookieconsent" / "dist"
    if not (dist / "cookieconsent.umd.js").exists():
        CC_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(CC_DIR), "--no-save", "--no-audit", "--no-fund",
                        f"vanilla-cookieconsent@{CC_VERSION}"], check=True)
    return dist


def start_consent_server(workdir: Path) -> tuple[subprocess.Popen, str]:
    """Migrate an SQLite database, create site "demo", and serve it with gunicorn as deployed."""
    from flask_migrate import upgrade

    from consent_server import create_app
    from consent_server.extensions import db
    from consent_server.proofs.server_keys import ensure_server_keys
    from consent_server.domain.sites import create_site

    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CONSENT_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
           "CONSENT_INSTANCE_DIR": str(workdir), "CONSENT_WORKERS": "2", "CONSENT_ACCESS_LOG": "/dev/null"}
    app = create_app({"CONSENT_DATABASE_URL": env["CONSENT_DATABASE_URL"], "CONSENT_INSTANCE_DIR": str(workdir)})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        ensure_server_keys()  # as `consent-server db upgrade` does: gunicorn refuses to start without them
        create_site(key="demo", name="Demobutiken", origins=[url], language="sv")
        db.session.commit()
        db.engine.dispose()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                "--bind", f"127.0.0.1:{port}", "consent_server.wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def start_page_server(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """A static file server for both bench pages (so both HTML pages cost the same)."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the report clean
            pass

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def banner_time(browser, url: str, selector: str) -> float:
    """Milliseconds from navigation start until the banner element is in the DOM, on a first visit."""
    context = browser.new_context()
    try:
        context.add_init_script(PROBE % json.dumps(selector))
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("window.__bannerAt !== undefined", timeout=30000)
        return page.evaluate("window.__bannerAt")
    finally:
        context.close()


def sizes(server: str, dist: Path) -> dict:
    """The budget figures: gzip -9 bytes."""
    from consent_server.web.snippet import SLOT, built_snippet, default_texts, script_json

    served = requests.get(f"{server}/c/demo.js", timeout=10).content
    config = requests.get(f"{server}/api/v1/sites/demo/config", timeout=10).content
    shipped = built_snippet().replace(SLOT, script_json({"texts": default_texts()})).encode()
    return {
        "ours_js_css_both_languages_gzip": gzip9(shipped),
        "ours_budget_gzip": 8 * 1024,
        "ours_code_only_gzip": gzip9(built_snippet().encode()),
        "demo_config_inlined_gzip": gzip9(config),
        "demo_served_snippet_gzip": gzip9(served),
        "cookieconsent_js_gzip": gzip9((dist / "cookieconsent.umd.js").read_bytes()),
        "cookieconsent_css_gzip": gzip9((dist / "cookieconsent.css").read_bytes()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=25, help="first visits per page (alternating)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    dist = install_cookieconsent()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        gunicorn, server = start_consent_server(work)
        pages = work / "pages"
        (pages / "cc").mkdir(parents=True)
        for name in ("cookieconsent.umd.js", "cookieconsent.css"):
            (pages / "cc" / name).write_bytes((dist / name).read_bytes())
        (pages / "cc" / "run.js").write_text(CC_RUN)
        (pages / "ours.html").write_text(OURS.format(server=server, body=SHOP_BODY))
        (pages / "theirs.html").write_text(THEIRS.format(body=SHOP_BODY))
        httpd, site = start_page_server(pages)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                banner_time(browser, f"{site}/ours.html", ".cs-1")  # warm up both servers and the browser
                banner_time(browser, f"{site}/theirs.html", "#cc-main .cm")
                ours, theirs = [], []
                for _ in range(args.runs):
                    ours.append(banner_time(browser, f"{site}/ours.html", ".cs-1"))
                    theirs.append(banner_time(browser, f"{site}/theirs.html", "#cc-main .cm"))
                browser.close()
            report = {
                "runs": args.runs,
                "banner_in_dom_ms_median": {"ours": statistics.median(ours), "vanilla_cookieconsent_3_1_0":
                                            statistics.median(theirs)},
                "ratio_of_medians_ours_over_theirs": statistics.median(ours) / statistics.median(theirs),
                "banner_in_dom_ms_quartiles": {"ours": statistics.quantiles(ours, n=4),
                                               "vanilla_cookieconsent_3_1_0": statistics.quantiles(theirs, n=4)},
                "load_average_1min": os.getloadavg()[0],
                "sizes": sizes(server, dist),
            }
        finally:
            httpd.shutdown()
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "snippet.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
