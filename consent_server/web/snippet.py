"""The served snippet: a site's configuration, and the built consent.js with that configuration inlined.

No Flask here: callers pass the site's facts, its policy version and the public base URL.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

# The built file holds this JavaScript string literal exactly once; we replace it, quotes included.
SLOT = '"__CONSENT_CONFIG__"'
LANGUAGES = ("sv", "en")
REQUIRED_PURPOSE = "necessary"
# What may not appear raw in JSON inside a <script> or a JS file: tag openers, entities, JS line breaks.
SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")
_HEADER = re.compile(r"src sha256:([0-9a-f]{64})")
# Stands for the public base URL in a rendering kept for every Host (api/snippet.py fills it in per
# request, body_template.py); random per process, so no policy text can contain it.
BASE_URL_SLOT = f"cs-base-url-{secrets.token_hex(16)}"


@lru_cache(maxsize=1)
def default_texts() -> dict[str, dict[str, str]]:
    """Our own sv/en banner texts; a site's texts override them key by key."""
    path = resources.files("consent_server") / "data" / "default_texts.json"
    return json.loads(path.read_text("utf-8"))


def build_config(
    *,
    site_key: str,
    default_language: str,
    policy_version: int,
    policy_hash: str,
    consent_floor: int,
    content: dict[str, Any],
    base_url: str,
    max_age_days: int,
) -> dict[str, Any]:
    """The configuration a visitor's browser gets (docs/CONTRACTS.md, "Served configuration")."""
    base = base_url.rstrip("/")
    site_texts = content.get("texts") or {}
    texts = {lang: {**default_texts().get(lang, {}), **(site_texts.get(lang) or {})} for lang in LANGUAGES}
    purposes = [
        {**section, "required": section["purpose"] == REQUIRED_PURPOSE or section.get("legal_basis") == "exempt"}
        for section in content["inventory"]["sections"]
    ]
    return {
        "site": site_key,
        "policy_version": policy_version,
        "policy_hash": policy_hash,
        "consent_floor": consent_floor,
        "default_language": default_language,
        "languages": list(LANGUAGES),
        "max_age_days": max_age_days,
        "endpoints": {
            "consents": f"{base}/api/v1/sites/{site_key}/consents",
            "policy": f"{base}/sites/{site_key}/cookie-policy",
            "receipts": f"{base}/receipts/",
            "visitors": f"{base}/api/v1/sites/{site_key}/visitors/",
        },
        "purposes": purposes,
        "texts": texts,
    }


def script_json(value: Any) -> str:
    """JSON that is safe inside a script: `<`, `>`, `&`, U+2028 and U+2029 become \\uXXXX escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _SCRIPT_UNSAFE.sub(lambda m: SCRIPT_ESCAPES[m.group(0)], text)


@lru_cache(maxsize=1)
def built_snippet() -> str:
    """The shipped consent.js (built from js-snippet/src by `make snippet`)."""
    text = (resources.files("consent_server") / "static" / "consent.js").read_text("utf-8")
    if text.count(SLOT) != 1:
        raise RuntimeError("consent.js must contain the configuration slot exactly once; rebuild it")
    return text


def render_snippet(config: dict[str, Any]) -> bytes:
    """consent.js with the configuration inlined, as UTF-8 bytes."""
    return built_snippet().replace(SLOT, script_json(config), 1).encode("utf-8")


def base_url_text(base_url: str) -> bytes:
    """The base URL as build_config writes it into the JSON of a script, for BASE_URL_SLOT."""
    return script_json(base_url.rstrip("/"))[1:-1].encode("utf-8")


def source_hash(js_dir: Path) -> str:
    """SHA-256 over js-snippet's src/*, build.mjs and package-lock.json, exactly as build.mjs computes it."""
    files = sorted(f"src/{p.name}" for p in (js_dir / "src").iterdir() if p.is_file())
    digest = hashlib.sha256()
    for name in [*files, "build.mjs", "package-lock.json"]:
        digest.update(name.encode() + b"\0")
        digest.update((js_dir / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def shipped_source_hash() -> str | None:
    """The source hash recorded in the first line of the shipped consent.js, if any."""
    match = _HEADER.search(built_snippet().split("\n", 1)[0])
    return match.group(1) if match else None
