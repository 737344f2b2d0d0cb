"""The server's secrets (signing key, erasure secret): where they are read from, kept per app, written 0600.

Each secret comes from its `CONSENT_*` setting (the value itself, or the path of a file
holding it) or else from a file in the instance folder. Once loaded it is kept in the
app's extensions, so a request never reads the disk for it; a missing secret is never
kept, so one written later (by `db upgrade` in another process) is found on the next call.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, TypeVar

from flask import current_app

T = TypeVar("T")


def instance_file(name: str) -> Path:
    """The path of `name` in the app's instance folder."""
    return Path(current_app.config["CONSENT_INSTANCE_DIR"]) / name


def configured_value(setting: str, is_text: Callable[[str], bool] = lambda _: False) -> str | bytes | None:
    """The setting's value, or the bytes of the file it names (unless `is_text` says the value is the secret)."""
    configured = current_app.config.get(setting)
    if not configured:
        return None
    if not is_text(configured) and os.path.isfile(configured):
        return Path(configured).read_bytes()
    return configured


def kept_secret(cache_key: str, load: Callable[[], T | None]) -> T | None:
    """The app's secret under `cache_key`, loaded by `load` until it is found, then kept."""
    found = current_app.extensions.get(cache_key)
    if found is None:
        found = load()
        if found is not None:
            current_app.extensions[cache_key] = found
    return found


def missing_advice(what: str, setting: str) -> str:
    """The one message for a missing secret: what is missing and the command (or setting) that fixes it."""
    return (f"no {what}: run `consent-server db upgrade` (it creates one; so does `consent-server keys init`), "
            f"or set {setting}")


def keep_secret(cache_key: str, secret: T) -> T:
    """Make `secret` the app's one under `cache_key` (after writing a new one)."""
    current_app.extensions[cache_key] = secret
    return secret


def write_secret_file(path: Path, data: bytes) -> None:
    """Write a secret to a file with mode 0600 (atomically: temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(temp, 0o600)
    os.replace(temp, path)
