# consent-server: `make run` serves the demo, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-sqlite test-postgres venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Migrate the SQLite database under instance/, make sure the demo site exists, serve on :8000.
run: venv
	$(BIN)/consent-server demo --bind 127.0.0.1:8000

# The whole suite on SQLite, then again on PostgreSQL when CONSENT_TEST_DATABASE_URL is set.
test: test-sqlite test-postgres

test-sqlite: venv
	env -u CONSENT_TEST_DATABASE_URL $(BIN)/pytest

test-postgres: venv
	@if [ -n "$$CONSENT_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$CONSENT_TEST_DATABASE_URL"; \
		$(BIN)/pytest; \
	else \
		echo "CONSENT_TEST_DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

clean:
	rm -rf $(VENV) instance .pytest_cache

# The banner snippet (js-snippet/ -> consent_server/static/consent.js). Node is a build tool only.
.PHONY: snippet snippet-check
snippet:
	npm --prefix js-snippet ci --no-audit --no-fund
	npm --prefix js-snippet run build

# Fails when the committed consent.js differs from a fresh build of js-snippet/src.
snippet-check:
	test -d js-snippet/node_modules/esbuild || npm --prefix js-snippet ci --no-audit --no-fund
	npm --prefix js-snippet run check

# Core API benchmark (bench/core_bench.py): gunicorn as deployed on SQLite and PostgreSQL, driven by wrk.
# Override the PostgreSQL server with BENCH_PG_URL=postgresql+psycopg://user@host:5432/db.
.PHONY: bench
BENCH_PG_URL ?= postgresql+psycopg://root@127.0.0.1:5432/test
bench: venv
	$(BIN)/python bench/core_bench.py --pg-url '$(BENCH_PG_URL)'
