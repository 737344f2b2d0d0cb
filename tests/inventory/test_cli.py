"""`consent-server inventory export|import|diff`: a YAML/JSON round trip through real policy versions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from consent_server.cli.inventory import inventory
from consent_server.domain.policies import list_policies
from consent_server.inventory import loads

from .builders import content, find_section, service


def _run(runner, *args: str):
    return runner.invoke(inventory, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_prints_the_current_content(runner, site, fmt: str) -> None:
    result = _run(runner, "export", "shop", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert loads(result.output, fmt) == content()


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_export_import_round_trip_is_unchanged(runner, site, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"policy{suffix}"
    path.write_text(_run(runner, "export", "shop", "--format", suffix[1:]).output, encoding="utf-8")
    result = _run(runner, "import", "shop", str(path))
    assert result.exit_code == 0
    assert "unchanged" in result.output
    assert [p.version for p in list_policies(site.id)] == [1]


def _edited_export(runner, tmp_path: Path) -> Path:
    doc = loads(_run(runner, "export", "shop").output, "yaml")
    find_section(doc["inventory"], "analytics")["services"].append(service("Matomo"))
    path = tmp_path / "edited.yaml"
    path.write_text(json.dumps(doc), encoding="utf-8")  # JSON is valid YAML
    return path


def test_import_material_change(runner, site, tmp_path: Path) -> None:
    result = _run(runner, "import", "shop", str(_edited_export(runner, tmp_path)))
    assert result.output.strip() == "published shop policy version 2 (material, visitors are asked again)"


def test_import_forced_not_material(runner, site, tmp_path: Path) -> None:
    result = _run(runner, "import", "shop", str(_edited_export(runner, tmp_path)), "--not-material")
    assert result.output.strip() == "published shop policy version 2 (not material)"
    assert list_policies(site.id)[-1].material is False


def test_import_forced_material(runner, site, tmp_path: Path) -> None:
    doc = content()
    doc["texts"]["sv"]["banner_title"] = "Kakor"
    path = tmp_path / "texts.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = _run(runner, "import", "shop", str(path), "--material")
    assert "version 2 (material" in result.output


def test_import_bare_inventory_keeps_texts(runner, site, tmp_path: Path) -> None:
    inv = content()["inventory"]
    inv["sections"][1]["description"]["en"] = "Counts visits."
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(inv), encoding="utf-8")
    assert "version 2 (not material)" in _run(runner, "import", "shop", str(path)).output
    assert list_policies(site.id)[-1].content["texts"] == content()["texts"]


def test_import_invalid_file_fails_with_schema_errors(runner, site, tmp_path: Path) -> None:
    inv = content()["inventory"]
    inv["sections"][0]["purpose"] = "Necessary"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(inv), encoding="utf-8")
    result = runner.invoke(inventory, ["import", "shop", str(path)])
    assert result.exit_code == 1
    assert "inventory.sections.0.purpose" in result.output
    assert [p.version for p in list_policies(site.id)] == [1]


def test_import_unparsable_file_fails(runner, site, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("sections: [", encoding="utf-8")
    result = runner.invoke(inventory, ["import", "shop", str(path)])
    assert result.exit_code == 1
    assert "not valid yaml" in result.output


def test_diff_prints_json(runner, site, tmp_path: Path) -> None:
    _run(runner, "import", "shop", str(_edited_export(runner, tmp_path)))
    body = json.loads(_run(runner, "diff", "shop", "1", "2").output)
    assert (body["from"], body["to"]) == (1, 2)
    assert body["material_reasons"] == ["purpose 'analytics': service 'Matomo' added"]


@pytest.mark.parametrize("args", [["export", "nope"], ["diff", "shop", "1", "5"], ["export", "shop", "--version", "7"]])
def test_unknown_site_or_version_fails(runner, site, args: list[str]) -> None:
    result = runner.invoke(inventory, args)
    assert result.exit_code == 1
    assert "No " in result.output


def test_group_is_registered_on_consent_server() -> None:
    from consent_server.cli import COMMANDS

    assert inventory in COMMANDS


def test_console_script_runs_the_group(site, database_url: str, instance: Path) -> None:
    import os
    import subprocess
    import sys

    script = Path(sys.executable).with_name("consent-server")
    env = {**os.environ, "CONSENT_DATABASE_URL": database_url, "CONSENT_INSTANCE_DIR": str(instance)}
    result = subprocess.run([str(script), "inventory", "export", "shop", "--format", "json"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == content()
