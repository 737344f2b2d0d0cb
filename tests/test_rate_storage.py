"""The SQLite rate-limit storage: limits' storage interface, exact counts across processes, windows that end."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from consent_server.config import load_config
from consent_server.http.rate_storage import SQLiteStorage, storage_path
from tests.builders import eventually

ROOT = Path(__file__).resolve().parent.parent


def storage_at(path: Path) -> SQLiteStorage:
    """The storage limits builds for `path`'s URL, as flask-limiter does."""
    storage = storage_from_string(f"sqlite:///{path}")
    assert isinstance(storage, SQLiteStorage)
    return storage


def test_the_default_storage_is_a_file_in_the_instance_folder(tmp_path):
    config = load_config({"CONSENT_INSTANCE_DIR": str(tmp_path)}, environ={})
    assert config["RATELIMIT_STORAGE_URI"] == f"sqlite:///{tmp_path.resolve()}/ratelimit.db"
    assert storage_path(config["RATELIMIT_STORAGE_URI"]) == tmp_path.resolve() / "ratelimit.db"


def test_a_configured_storage_is_kept(tmp_path):
    config = load_config({"CONSENT_INSTANCE_DIR": str(tmp_path)},
                         environ={"CONSENT_RATELIMIT_STORAGE": "redis://127.0.0.1:6379/0"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("uri", ["sqlite://host/counters.db", "sqlite://", "memory:///x.db"])
def test_a_url_that_names_no_file_is_refused(uri):
    with pytest.raises(ValueError):
        storage_path(uri)


def test_a_relative_path_is_resolved_like_sqlalchemys(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert storage_path("sqlite:///counters.db") == tmp_path.resolve() / "counters.db"


def test_counts_and_expiry_of_a_window(tmp_path):
    storage = storage_at(tmp_path / "ratelimit.db")
    before = time.time()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=2) == 5
    assert storage.get("k") == 5 and storage.get("other") == 0
    assert before + 60 <= storage.get_expiry("k") <= time.time() + 60
    storage.clear("k")
    assert storage.get("k") == 0
    storage.incr("a", 60), storage.incr("b", 60)
    assert storage.reset() == 2 and storage.get("a") == 0
    assert storage.check()


def test_a_window_that_ran_out_starts_again(tmp_path):
    storage = storage_at(tmp_path / "ratelimit.db")
    assert [storage.incr("k", 1) for _ in range(3)] == [1, 2, 3]
    assert eventually(lambda: storage.get("k") == 0, 5)
    assert storage.get_expiry("k") <= time.time()
    assert storage.incr("k", 1) == 1


def test_windows_that_ran_out_are_swept(tmp_path):
    path = tmp_path / "ratelimit.db"
    storage = storage_at(path)
    storage.incr("gone", 1)
    assert eventually(lambda: storage.get("gone") == 0, 5)
    storage_at(path).incr("live", 60)  # a new process's first hit sweeps
    with sqlite3.connect(path) as connection:
        assert [key for (key,) in connection.execute("SELECT key FROM counters")] == ["live"]


def test_limits_strategy_counts_through_it(tmp_path):
    limiter = FixedWindowRateLimiter(storage_at(tmp_path / "ratelimit.db"))
    item = parse("2 per minute")
    assert [limiter.hit(item, "consents", "198.51.100.0/24") for _ in range(3)] == [True, True, False]
    assert limiter.hit(item, "consents", "203.0.113.0/24")
    stats = limiter.get_window_stats(item, "consents", "198.51.100.0/24")
    assert stats.remaining == 0 and time.time() < stats.reset_time <= time.time() + 60


HAMMER = """
import sys
from consent_server.http.rate_storage import SQLiteStorage
storage = SQLiteStorage(sys.argv[1])
for _ in range(int(sys.argv[2])):
    storage.incr("shared", 60)
"""


def test_processes_sharing_the_file_count_exactly(tmp_path):
    uri, processes, hits = f"sqlite:///{tmp_path / 'ratelimit.db'}", 4, 500
    children = [subprocess.Popen([sys.executable, "-c", HAMMER, uri, str(hits)], cwd=ROOT) for _ in range(processes)]
    assert [child.wait(timeout=120) for child in children] == [0] * processes
    assert storage_at(tmp_path / "ratelimit.db").get("shared") == processes * hits
