"""The public write endpoints' rate limit: CONSENT_RATELIMIT per client network, counted before parsing."""
from __future__ import annotations

import functools
import math
import time
from typing import Any, Callable, Mapping

from flask import current_app, request
from limits import RateLimitItem, parse_many

from ..errors import ApiError
from ..extensions import limiter
from .client_net import limit_key


@functools.lru_cache(maxsize=16)
def _parsed_rate(rate: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(rate))


def public_rate_limit(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator (outermost, so it counts requests before parsing them): `check_public_rate`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)  # keeps flask-smorest's documentation attributes
        def limited(*args: Any, **kwargs: Any) -> Any:
            check_public_rate(scope, request.environ)
            return view(*args, **kwargs)

        return limited

    return decorate


def check_public_rate(scope: str, environ: Mapping[str, Any]) -> None:
    """Count the request of `environ` against CONSENT_RATELIMIT for its client network; 429 once spent.

    For the public write endpoints. The hit goes through flask-limiter's own strategy and
    storage (by default an SQLite file shared by every worker of the host, or Redis via
    CONSENT_RATELIMIT_STORAGE, shared by every node), and
    RATELIMIT_ENABLED still turns it off; what is skipped is flask-limiter's per-request
    resolution of the decorated limit (its callable, scopes, exemptions and response
    headers), a quarter of a consent POST's CPU (bench/RESULTS.md). The limit string is
    parsed once.
    """
    if not limiter.enabled:
        return
    strategy = limiter.limiter
    identifiers = ("consent-public", scope, limit_key(environ))
    for item in _parsed_rate(current_app.config["CONSENT_RATELIMIT"]):
        if not strategy.hit(item, *identifiers):
            reset_at = strategy.get_window_stats(item, *identifiers).reset_time
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise ApiError(429, "too_many_requests", "Too many requests from this network; retry later.",
                           headers={"Retry-After": str(retry_after)})
