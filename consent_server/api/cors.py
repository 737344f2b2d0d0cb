"""Origin checks and CORS headers for the browser-facing endpoints of a site."""
from __future__ import annotations

from flask import Response, request

from ..domain.sites import SiteInfo
from ..errors import ApiError

PREFLIGHT_MAX_AGE = "86400"


def check_origin(site: SiteInfo) -> str | None:
    """The request's Origin if it is one of the site's; None without an Origin (server-to-server); 403 otherwise."""
    return allowed_origin(site, request.headers.get("Origin"))


def allowed_origin(site: SiteInfo, origin: str | None) -> str | None:
    """`origin` (an Origin header) if it is one of the site's; None for None; 403 otherwise."""
    if origin is None:
        return None
    if origin.lower().rstrip("/") not in site.origins:
        raise ApiError(403, "origin_not_allowed", "This origin is not registered for the site.")
    return origin


def cors_headers(origin: str | None) -> dict[str, str]:
    """The CORS headers that let the site's own pages read an answer."""
    headers = {"Vary": "Origin"}
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def preflight(site: SiteInfo, methods: str) -> Response:
    """Answer a CORS preflight for one of the site's origins."""
    origin = check_origin(site)
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = methods
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    response.headers.extend(cors_headers(origin))
    return response
