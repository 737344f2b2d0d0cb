"""Facts about the client copied into a consent row: truncated address, user agent, country. Pure, no Flask."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from user_agents import parse as parse_user_agent


def truncate_ip(address: str, v4_prefix: int = 24, v6_prefix: int = 48) -> str | None:
    """Return the network of an address ("192.0.2.0/24"); IPv4-mapped IPv6 counts as IPv4; None if invalid."""
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = v4_prefix if ip.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted_proxies: int) -> str | None:
    """Pick the client address: the socket peer, or the entry `trusted_proxies` hops back in X-Forwarded-For.

    Only as many X-Forwarded-For entries as there are trusted proxies are believed, counted
    from the right; anything a client writes further left is ignored, so spoofing fails.
    """
    if trusted_proxies <= 0 or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if len(hops) < trusted_proxies:
        return remote_addr
    return hops[-trusted_proxies]


# The longest browser or OS family and browser major version kept (the columns' sizes). A user
# agent may name a browser of any length ("Foo/12345678901234567890"): its facts are cut to fit,
# as the raw string is, rather than refused (PostgreSQL refuses a longer value, SQLite keeps it).
FAMILY_LENGTH = 64
MAJOR_LENGTH = 16


@dataclass(frozen=True)
class UserAgentFacts:
    """What we keep of a user agent string."""

    browser_family: str | None
    browser_major: str | None
    os_family: str | None
    device_type: str


@lru_cache(maxsize=4096)
def user_agent_facts(user_agent: str) -> UserAgentFacts:
    """Parse a user agent into browser family/major, OS family and device type (cached: few distinct strings)."""
    ua = parse_user_agent(user_agent[:512])
    if ua.is_bot:
        device = "bot"
    elif ua.is_tablet:
        device = "tablet"
    elif ua.is_mobile:
        device = "mobile"
    elif ua.is_pc:
        device = "desktop"
    else:
        device = "other"
    major = ua.browser.version[0] if ua.browser.version else None
    return UserAgentFacts(
        browser_family=ua.browser.family[:FAMILY_LENGTH] or None,
        browser_major=str(major)[:MAJOR_LENGTH] if major is not None else None,
        os_family=ua.os.family[:FAMILY_LENGTH] or None,
        device_type=device,
    )


class CountryLookup:
    """Country of an address from a MaxMind database; None without a database or a match."""

    def __init__(self, path: str | None) -> None:
        self._reader = None
        if path:
            import geoip2.database

            self._reader = geoip2.database.Reader(path)

    def country(self, address: str | None) -> str | None:
        """ISO 3166-1 alpha-2 code for the full address (looked up before truncation), or None."""
        if self._reader is None or not address:
            return None
        import geoip2.errors

        try:
            return self._reader.country(address).country.iso_code
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return None
