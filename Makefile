# relgraph: `make run` (Neo4j + demo data + the app on http://localhost:8501) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RELGRAPH := $(VENV)/bin/relgraph
export NEO4J_PASSWORD ?= relgraph-local
PORT ?= 8501

.PHONY: install run test lint bench stop clean

OIDC := tests/oidc

# Bytecode compiled ahead (uv does not by default, and PYTHONDONTWRITEBYTECODE stops Python caching it):
# without it every `relgraph` call compiles ~800 modules again, over a second of its start-up.
install: $(VENV)/.installed
	@$(PY) -m compileall -q -j 0 app.py cli graph loaders queries ui
	@$(PY) -c "from graph.store.server import ensure_jars; print('Neo4j jars ready in', ensure_jars())"
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) ; } \
	  || echo "note: Chromium is missing (apt-get install chromium); the browser tests need it"

# The dev lock: the runtime lock (what the Docker image installs) plus pytest, playwright and ruff.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-dev.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv
	$(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -r requirements-dev.lock
	$(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e .
	touch $@

# The OpenID Connect provider the sign-in tests start (oidc-provider from npm, pinned by its lock).
$(OIDC)/node_modules/.installed: $(OIDC)/package.json $(OIDC)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ (the sign-in tests run an OpenID provider on it)"; exit 1; }
	npm ci --prefix $(OIDC) --no-audit --no-fund --silent
	touch $@

# The Cypher editor ships prebuilt (ui/components/cypher_editor/dist); this rebuilds it from its pinned lock.
EDITOR := ui/components/cypher_editor
.PHONY: editor
editor:
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ to rebuild the Cypher editor"; exit 1; }
	npm ci --prefix $(EDITOR) --no-audit --no-fund --silent
	npm run --prefix $(EDITOR) --silent build

run: install
	$(RELGRAPH) db start
	$(RELGRAPH) load demo --if-empty
	$(RELGRAPH) app --port $(PORT)

stop:
	$(RELGRAPH) db stop

test: install $(OIDC)/node_modules/.installed lint
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

bench: install
	$(PY) bench/load.py
	$(PY) bench/named_queries.py
	$(PY) bench/risk.py
	$(PY) bench/reach.py
	$(PY) bench/analysis.py
	$(PY) bench/ui.py

# Regenerate the locks after changing dependencies in pyproject.toml: requirements.lock is the
# runtime (the Docker image), requirements-dev.lock adds the dev extra pinned to the same versions.
lock: $(VENV)/.installed
	$(VENV)/bin/uv pip compile -q pyproject.toml -o requirements.lock
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra dev -c requirements.lock -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
