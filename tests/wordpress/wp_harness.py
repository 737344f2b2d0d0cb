"""A real WordPress for the plugin tests: Debian's package, PHP's built-in server, a private MariaDB database.

Debian's /usr/share/wordpress/wp-config.php loads /etc/wordpress/config-<name>.php, where <name> is
$_SERVER['WORDPRESS_CONFIG'] when set (our router and boot script set it from the environment), else
the Host header without its port. We use a private name per run, so nothing collides with another
WordPress on the machine, and write a private WP_CONTENT_DIR: themes symlinked from the package, our
plugin, the test plugins and the stand-ins symlinked into plugins/. Everything is removed in `stop()`.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.builders import eventually

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PLUGIN_DIR = ROOT / "deploy" / "wordpress" / "consent-server"
CORE = Path(os.environ.get("CONSENT_WP_CORE", "/usr/share/wordpress"))
CONFIG_DIR = Path("/etc/wordpress")
PHP = shutil.which("php") or "php"
MARIADB = shutil.which("mariadb") or shutil.which("mysql") or "mariadb"

OUR_PLUGIN = "consent-server/consent-server.php"
FIXTURES_PLUGIN = "cs-test-fixtures/cs-test-fixtures.php"


def _real_or_standin(env: str, standin_dir: str, standin_file: str, real_file: str) -> tuple[Path, str]:
    """(directory to link into plugins/, plugin file relative to plugins/) for a real plugin or its stand-in."""
    real = os.environ.get(env)
    if real:
        return Path(real).resolve(), f"{Path(real).resolve().name}/{real_file}"
    return HERE / "plugins" / standin_dir, f"{standin_dir}/{standin_file}"


CONSENT_API_DIR, CONSENT_API_PLUGIN = _real_or_standin(
    "WP_CONSENT_API_DIR", "wp-consent-api-standin", "wp-consent-api.php", "wp-consent-api.php")
WOOCOMMERCE_DIR, WOOCOMMERCE_PLUGIN = _real_or_standin(
    "WOOCOMMERCE_DIR", "wc-order-attribution-standin", "wc-order-attribution-standin.php", "woocommerce.php")
USING_REAL_CONSENT_API = bool(os.environ.get("WP_CONSENT_API_DIR"))
USING_REAL_WOOCOMMERCE = bool(os.environ.get("WOOCOMMERCE_DIR"))

# The test site's posts (tests/wordpress/conftest.py's `wordpress` creates them).
YOUTUBE_EMBED = (
    '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=cstest01","type":"video","providerNameSlug":"youtube"} -->\n'
    '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__wrapper">\n'
    'https://www.youtube.com/watch?v=cstest01\n</div></figure>\n<!-- /wp:embed -->\n'
)
# Typed into the post as HTML, as a page builder would print it: the_content must catch these.
YOUTUBE_IFRAME = ('<!-- wp:html --><iframe id="raw-yt" width="560" height="315" '
                  'src="https://www.youtube-nocookie.com/embed/cstest02" title="Raw embed"></iframe><!-- /wp:html -->\n')
AFFILIATE_PIXEL = ('<!-- wp:html --><img id="aff-pixel" src="https://track.adtraction.com/t/t?c=1&amp;p=2" '
                   'width="1" height="1" alt=""><!-- /wp:html -->\n')
SETTINGS_LINK = '<!-- wp:shortcode -->[consent_server_settings_link]<!-- /wp:shortcode -->\n'
POSTS = [
    {"key": "shop", "title": "Video and pixel", "content": YOUTUBE_EMBED + YOUTUBE_IFRAME + AFFILIATE_PIXEL + SETTINGS_LINK},
    {"key": "policy", "type": "page", "title": "Cookies",
     "content": '<!-- wp:shortcode -->[consent_server_cookie_policy lang="sv"]<!-- /wp:shortcode -->'},
]


def require_wordpress() -> None:
    """Fail (or, with CONSENT_SKIP_WORDPRESS=1, skip) when PHP, WordPress or MariaDB is missing."""
    missing = [what for what, ok in (
        ("php (php-cli)", shutil.which("php")),
        ("Debian's wordpress package", (CORE / "wp-config.php").exists()),
        ("mariadb client", shutil.which("mariadb") or shutil.which("mysql")),
    ) if not ok]
    if not missing and subprocess.run(["php", "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"]).returncode != 0:
        missing.append("php-mysql")
    if missing:
        if os.environ.get("CONSENT_SKIP_WORDPRESS") == "1":
            pytest.skip(f"CONSENT_SKIP_WORDPRESS=1 and missing: {', '.join(missing)}")
        pytest.fail(f"WordPress tests need {', '.join(missing)} (see .ci/apt-packages.txt)")


def matches(pattern: str, name: str) -> bool:
    """Whether a cookie name matches an inventory name (exact, or a pattern with * wildcards)."""
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), name) is not None


def php_files() -> list[Path]:
    """Every PHP file we ship or test with."""
    return sorted([*PLUGIN_DIR.rglob("*.php"), *HERE.rglob("*.php")])


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mariadb(sql: str) -> None:
    """Run SQL as MariaDB's root over TCP (the machine's server, root without a password)."""
    subprocess.run([MARIADB, "-uroot", "-h127.0.0.1", "-P3306", "-e", sql], check=True, capture_output=True)


@dataclass
class WordPress:
    """One private WordPress install, served by `php -S` on a free port."""

    name: str = field(default_factory=lambda: f"cswp-{secrets.token_hex(6)}")
    port: int = field(default_factory=free_port)
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    content: Path | None = None
    process: subprocess.Popen | None = None
    db_password: str = field(default_factory=lambda: secrets.token_hex(12))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_name(self) -> str:
        return self.name.replace("-", "_")

    @property
    def config_file(self) -> Path:
        return CONFIG_DIR / f"config-{self.name}.php"

    @property
    def debug_log(self) -> Path:
        return self.content / "debug.log"

    def env(self, **extra: str) -> dict:
        """Environment for the router and the boot script."""
        return {**os.environ, "WORDPRESS_CONFIG": self.name, "CS_WP_URL": self.url, "CS_WP_CORE": str(CORE),
                "CS_WP_CONTENT": str(self.content), **extra}

    def start(self) -> "WordPress":
        """Create the database, the content dir and the config; install WordPress; serve it."""
        mariadb(f"CREATE DATABASE `{self.db_name}` CHARACTER SET utf8mb4; "
                f"CREATE USER '{self.db_name}'@'%' IDENTIFIED BY '{self.db_password}'; "
                f"CREATE USER '{self.db_name}'@'localhost' IDENTIFIED BY '{self.db_password}'; "
                f"GRANT ALL ON `{self.db_name}`.* TO '{self.db_name}'@'%'; "
                f"GRANT ALL ON `{self.db_name}`.* TO '{self.db_name}'@'localhost';")
        self.content = Path(tempfile.mkdtemp(prefix=f"{self.name}-content-"))
        self._make_content()
        self._write_config()
        self.boot("install", CS_WP_ADMIN_PASSWORD=self.admin_password)
        self._serve()
        return self

    def _make_content(self) -> None:
        (self.content / "themes").mkdir()
        themes = [theme for theme in (CORE / "wp-content" / "themes").iterdir() if theme.is_dir()]
        if not themes:
            # Without a theme WordPress answers every page 200 with an empty body.
            raise RuntimeError("WordPress has no theme: install Debian's wordpress-theme-twentytwentythree")
        for theme in themes:
            (self.content / "themes" / theme.name).symlink_to(theme.resolve())
        plugins = self.content / "plugins"
        plugins.mkdir()
        (plugins / "consent-server").symlink_to(PLUGIN_DIR)
        for path in (HERE / "plugins" / "cs-test-fixtures", CONSENT_API_DIR, WOOCOMMERCE_DIR):
            (plugins / path.name).symlink_to(path)
        (self.content / "mu-plugins").mkdir()
        (self.content / "mu-plugins" / "cs-probe.php").symlink_to(HERE / "mu-plugins" / "cs-probe.php")
        (self.content / "uploads").mkdir()

    def _write_config(self) -> None:
        salts = "\n".join(
            f"define('{key}', '{secrets.token_hex(24)}');"
            for key in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                        "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"))
        self.config_file.write_text(f"""<?php
// Written by tests/wordpress/wp_harness.py for one test run; removed afterwards.
define('DB_NAME', '{self.db_name}');
define('DB_USER', '{self.db_name}');
define('DB_PASSWORD', '{self.db_password}');
define('DB_HOST', '127.0.0.1:3306');
define('WP_CONTENT_DIR', '{self.content}');
define('WP_CONTENT_URL', '{self.url}/wp-content');
define('WP_HOME', '{self.url}');
define('WP_SITEURL', '{self.url}');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', true);
define('WP_DEBUG_LOG', '{self.content}/debug.log');
define('WP_DEBUG_DISPLAY', false);
define('FS_METHOD', 'direct');
{salts}
$table_prefix = 'wp_';
""")

    def _serve(self) -> None:
        with (self.content / "php-server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [PHP, "-S", f"127.0.0.1:{self.port}", "-t", str(CORE), str(HERE / "php" / "router.php")],
                env=self.env(PHP_CLI_SERVER_WORKERS="4"), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        if not eventually(self._answers, 30):
            raise RuntimeError("php -S did not start")

    def _answers(self) -> bool:
        """Whether php -S answers yet (with any status); raises with its log once it has exited."""
        if self.process.poll() is not None:
            raise RuntimeError(f"php -S exited: {(self.content / 'php-server.log').read_text()[-2000:]}")
        try:
            requests.get(f"{self.url}/wp-login.php", timeout=2)
            return True
        except requests.ConnectionError:
            return False

    def boot(self, *args: str, **env: str) -> str:
        """Run tests/wordpress/php/boot.php with WordPress loaded; its stdout."""
        done = subprocess.run([PHP, str(HERE / "php" / "boot.php"), *args], env=self.env(**env),
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"boot.php {args} failed ({done.returncode}): {done.stdout}\n{done.stderr}")
        return done.stdout

    def run_php(self, script: Path, **env: str) -> dict:
        """Run a PHP file with WordPress loaded and decode the JSON it prints."""
        return json.loads(self.boot("run", str(script), **env).strip().splitlines()[-1])

    def ops(self, **operations) -> dict:
        """Apply set-up operations (see php/ops.php); fail on any error it reports."""
        result = self.run_php(HERE / "php" / "ops.php", CS_OPS=json.dumps(operations))
        if result["errors"]:
            raise RuntimeError(f"ops failed: {result['errors']}")
        return result

    def stop(self) -> None:
        """Stop the server and remove the database, its user, the config file and the content dir."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)
        mariadb(f"DROP DATABASE IF EXISTS `{self.db_name}`; DROP USER IF EXISTS '{self.db_name}'@'%'; "
                f"DROP USER IF EXISTS '{self.db_name}'@'localhost';")
        self.config_file.unlink(missing_ok=True)
        if self.content:
            shutil.rmtree(self.content, ignore_errors=True)
