"""GET /sites/{site}/cookie-policy: the site's cookie policy as an accessible, printable HTML page.

`?lang=sv|en` picks the language (default: the site's); `?fragment=1` returns the policy's body
only, for the WordPress plugin's shortcode. The full page shows no banner (see `cookie_policy`). The page is rendered from the current policy version,
so it always shows exactly what the banner's second layer shows.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for

from ..domain.policies import current_policy
from ..domain.sites import get_site
from ..inventory import duration_in_words
from .cookie_policy_texts import COUNTRIES, LABELS, LANGUAGES

bp = Blueprint("cookie_policy", __name__, template_folder="templates")

Json = dict[str, Any]


def _country(code: str, lang: str) -> str:
    return COUNTRIES[lang].get(code, code)


def _service_view(service: Json, lang: str) -> Json:
    labels = LABELS[lang]
    own = service["role"] == "own"
    return {
        "name": service["name"],
        "provider": labels["own_provider"] if own else service["provider"],
        "country": _country(service["country"], lang),
        "role": labels[f"role_{service['role']}"],
        "own": own,
        "url": service["privacy_policy_url"],
        "leaves_eea": service["leaves_eea"],
        "description": (service.get("description") or {}).get(lang),
        "note": (service.get("note") or {}).get(lang),
    }


def _storage_rows(section: Json, lang: str) -> list[Json]:
    labels = LABELS[lang]
    rows = []
    for service in section["services"]:
        provider = labels["own_provider"] if service["role"] == "own" else service["provider"]
        for item in service["storage"]:
            rows.append({
                "name": item["name"],
                "domain": item.get("domain") or labels["domain_own"],
                "provider": provider,
                "service": service["name"],
                "kind": f"{labels[item['type']]}, {labels[item['party']]}",
                "duration": duration_in_words(item["duration"], lang),
                "purpose": item["description"][lang],
                "note": (item.get("note") or {}).get(lang) if item.get("confirmed", True) is False else None,
            })
    return rows


def page_context(content: Json, *, version: int, published: str, content_hash: str, site_name: str,
                 lang: str) -> Json:
    """Everything the templates need, in one language: sections in banner order, processors, transfers."""
    inventory = content["inventory"]
    sections = [{
        "purpose": s["purpose"],
        "title": s["title"][lang],
        "description": s["description"][lang],
        "basis": LABELS[lang][f"basis_{s['legal_basis']}"],
        "services": [_service_view(svc, lang) for svc in s["services"]],
        "rows": _storage_rows(s, lang),
    } for s in inventory["sections"]]
    processors = [_service_view(p, lang) for p in inventory.get("processors", [])]
    every_service = [svc for s in sections for svc in s["services"]] + processors
    transfers = list({svc["name"]: svc for svc in every_service if svc["leaves_eea"]}.values())
    return {
        "lang": lang,
        "t": LABELS[lang],
        "site_name": site_name,
        "sections": sections,
        "processors": processors,
        "transfers": transfers,
        "version": version,
        "published": published,
        "content_hash": content_hash,
        "policy_texts": content.get("texts", {}).get(lang, {}),
    }


@bp.get("/sites/<site>/cookie-policy")
def cookie_policy(site: str):
    """The cookie-policy page (or its body only with ?fragment=1)."""
    record = get_site(site)
    lang = request.args.get("lang", record.default_language)
    if lang not in LANGUAGES:
        lang = record.default_language
    policy = current_policy(record)
    context = page_context(
        policy.content,
        version=policy.version,
        published=policy.created_at.strftime("%Y-%m-%d"),
        content_hash=policy.content_hash,
        site_name=record.name,
        lang=lang,
    )
    fragment = request.args.get("fragment", "") in ("1", "true")
    template = "cookie_policy_body.html" if fragment else "cookie_policy.html"
    other = "en" if lang == "sv" else "sv"
    # The full page is served from the consent server's own origin, so it carries no banner: a
    # decision made there would be refused (that origin is not the site's) and its cookie would
    # land in the consent server's cookie jar, not the site's. It says where choices are changed;
    # the fragment, embedded in the site's own pages, keeps the button that opens the banner.
    html = render_template(template, site_key=record.key, other_lang=other, embedded=fragment,
                           other_url=url_for(".cookie_policy", site=record.key, lang=other), **context)
    headers = {"Content-Language": lang, "Vary": "Accept-Language"}
    if fragment:
        # The WordPress plugin fetches the body server-side and embeds it in the site's own page.
        headers["Access-Control-Allow-Origin"] = "*"
    return html, 200, headers
