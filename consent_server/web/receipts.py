"""/receipts/{receipt_id}: a readable, printable receipt in the record's language."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template

from ..domain.errors import NotFound
from ..proofs.receipts import receipt_document

bp = Blueprint("receipts_page", __name__, template_folder="templates")

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Kvitto på ditt samtycke", "site": "Webbplats", "time": "Tid (UTC)", "receipt": "Kvitto-id",
        "action": "Hur", "choices": "Dina val", "granted": "Tillåtet", "denied": "Nekat", "page": "Sida",
        "language": "Språk", "network": "Nätverk (förkortad IP-adress)", "browser": "Webbläsare",
        "os": "Operativsystem", "device": "Enhet", "country": "Land", "gpc": "Global Privacy Control",
        "yes": "ja", "no": "nej", "policy": "Policyversion", "hash": "Innehållets SHA-256",
        "proof": "Bevis", "sealed": "Förseglad i loggen: post {index}, batch {batch}, signerad med nyckel {key}.",
        "unsealed": "Inte förseglad ännu: beviset visas inom några sekunder.",
        "verify": "Kontrollera själv: hämta kvittot som JSON och de publicerade nycklarna.",
        "erased": "Personuppgifterna i denna post har raderats på begäran.", "print": "Skriv ut med webbläsarens utskrift.",
        "visitor": "Besökare (pseudonym)",
        "actions": "accept_all=Godkänn alla|reject_all=Neka alla|custom=Sparade val|withdraw=Återkallat|gpc=GPC-signal|placeholder=Platshållare",
    },
    "en": {
        "title": "Receipt for your consent", "site": "Website", "time": "Time (UTC)", "receipt": "Receipt id",
        "action": "How", "choices": "Your choices", "granted": "Allowed", "denied": "Denied", "page": "Page",
        "language": "Language", "network": "Network (truncated IP address)", "browser": "Browser",
        "os": "Operating system", "device": "Device", "country": "Country", "gpc": "Global Privacy Control",
        "yes": "yes", "no": "no", "policy": "Policy version", "hash": "Content SHA-256",
        "proof": "Proof", "sealed": "Sealed in the log: entry {index}, batch {batch}, signed with key {key}.",
        "unsealed": "Not sealed yet: the proof appears within seconds.",
        "verify": "Check it yourself: download the receipt as JSON and the published keys.",
        "erased": "The personal data of this record was erased on request.", "print": "Print with your browser's print command.",
        "visitor": "Visitor (pseudonym)",
        "actions": "accept_all=Accept all|reject_all=Reject all|custom=Saved choices|withdraw=Withdrawn|gpc=GPC signal|placeholder=Placeholder",
    },
}


def _purposes(document: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    sections = document["policy"]["content"]["inventory"]["sections"]
    choices = document["record"]["choices"]
    return [
        {"title": s["title"].get(lang) or s["purpose"], "granted": bool(choices.get(s["purpose"]))}
        for s in sections if s["purpose"] in choices
    ]


def render_receipt(document: dict[str, Any]) -> Response:
    """The HTML receipt of a receipt document."""
    lang = document["record"]["language"] if document["record"]["language"] in LABELS else "en"
    labels = LABELS[lang]
    actions = dict(item.split("=", 1) for item in labels["actions"].split("|"))
    html = render_template(
        "receipt.html", doc=document, record=document["record"], proof=document["proof"], lang=lang, t=labels,
        action=actions.get(document["record"]["action"], document["record"]["action"]),
        purposes=_purposes(document, lang), json_url=f"/api/v1/receipts/{document['record']['receipt_id']}",
    )
    return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})


@bp.get("/receipts/<receipt_id>")
def receipt_page(receipt_id: str):
    """The printable receipt page."""
    try:
        document = receipt_document(receipt_id)
    except NotFound:
        return Response("<!doctype html><title>404</title><p>Unknown receipt. / Okänt kvitto.</p>", 404,
                        mimetype="text/html")
    return render_receipt(document)
