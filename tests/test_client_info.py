"""Pure client facts: IP truncation, trusted proxies, user agents, GeoIP on a real MaxMind file."""
from __future__ import annotations

import pytest

from consent_server.domain.client_info import CountryLookup, client_address, truncate_ip, user_agent_facts

from tests.builders import CHROME_UA, IPHONE_UA, write_country_db


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("192.0.2.123", "192.0.2.0/24"),
        ("10.1.2.3", "10.1.2.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("::ffff:198.51.100.7", "198.51.100.0/24"),
        ("fe80::1%eth0", "fe80::/48"),
        ("not-an-ip", None),
        ("", None),
    ],
)
def test_truncate_ip(address, expected):
    assert truncate_ip(address) == expected


def test_truncate_ip_custom_prefixes():
    assert truncate_ip("192.0.2.123", v4_prefix=16) == "192.0.0.0/16"
    assert truncate_ip("2001:db8:1234:5678::1", v6_prefix=32) == "2001:db8::/32"


@pytest.mark.parametrize(
    ("forwarded", "trusted", "expected"),
    [
        (None, 0, "127.0.0.1"),
        ("203.0.113.9", 0, "127.0.0.1"),  # no trusted proxy: the header is ignored
        ("203.0.113.9", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),  # spoofed leftmost entry ignored
        ("6.6.6.6, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("203.0.113.9", 2, "127.0.0.1"),  # fewer hops than proxies: distrust
    ],
)
def test_client_address_trusts_only_configured_proxies(forwarded, trusted, expected):
    assert client_address("127.0.0.1", forwarded, trusted) == expected


def test_user_agent_facts_desktop_and_mobile():
    desktop = user_agent_facts(CHROME_UA)
    assert (desktop.browser_family, desktop.browser_major, desktop.os_family, desktop.device_type) == (
        "Chrome", "120", "Windows", "desktop")
    phone = user_agent_facts(IPHONE_UA)
    assert phone.device_type == "mobile" and phone.os_family == "iOS"


def test_user_agent_facts_bot():
    assert user_agent_facts("Googlebot/2.1 (+http://www.google.com/bot.html)").device_type == "bot"


def test_country_lookup_reads_a_real_maxmind_file(tmp_path):
    path = tmp_path / "country.mmdb"
    write_country_db(path)
    lookup = CountryLookup(str(path))
    assert lookup.country("81.2.69.160") == "GB"
    assert lookup.country("2a02:aa8:1::5") == "SE"
    assert lookup.country("192.0.2.1") is None
    assert CountryLookup(None).country("81.2.69.160") is None
