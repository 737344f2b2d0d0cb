"""A plain `pip install` (a wheel) carries everything the server reads at run time: no node, no checkout."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = out.glob("consent_server-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize(
    "path",
    [
        "consent_server/static/consent.js",
        "consent_server/migrations/env.py",
        "consent_server/migrations/alembic.ini",
        "consent_server/migrations/script.py.mako",
        "consent_server/migrations/versions/0001_core_schema.py",
        "consent_server/data/default_inventory.json",
        "consent_server/data/default_texts.json",
        "consent_server/schemas/inventory.schema.json",
        "consent_server/web/templates/demo.html",
        "consent_server/http/gunicorn_conf.py",
    ],
)
def test_wheel_contains(wheel_names, path):
    assert path in wheel_names


def test_wheel_carries_every_migration_and_template(wheel_names):
    for pattern in ("consent_server/migrations/versions/*.py", "consent_server/web/templates/*", "schemas/*.json"):
        for file in ROOT.glob(pattern):
            name = file.relative_to(ROOT).as_posix()
            name = name if name.startswith("consent_server/") else f"consent_server/{name}"
            assert name in wheel_names, name


def test_wheel_has_no_bytecode(wheel_names):
    assert not [name for name in wheel_names if "__pycache__" in name]
