# Two commands do all the set-up: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime
HOST ?= 127.0.0.1
PORT ?= 8000
BROWSER := $(VENV)/.browser
BENCH := $(VENV)/.bench
NGINX := $(VENV)/.nginx

.PHONY: serve test bench fuzz unit integration lint typecheck install clean

# `make serve` needs only the service; `make test` adds the test toolchain (linters, type
# checker, Playwright, schemathesis) to the same .venv.
$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The browser tests drive the distribution's Chromium; Korean text needs a CJK font. Their
# accessibility checks run axe-core, pinned in tests/browser/package-lock.json.
$(BROWSER): $(STAMP) tests/browser/package-lock.json
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "CJK" \
	  || { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } \
	  || echo "Chromium could not be installed: the browser tests will say so"
	@command -v npm >/dev/null 2>&1 \
	  || { apt-get update -qq && apt-get install -y -qq npm >/dev/null; } \
	  || echo "npm could not be installed: the accessibility tests will say so"
	npm ci --prefix tests/browser --silent --no-audit --no-fund \
	  || echo "axe-core could not be installed: the accessibility tests will say so"
	touch $(BROWSER)

# tests/integration/test_nginx.py runs the distribution's nginx in front of `wap serve`.
$(NGINX): $(STAMP)
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx \
	  || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; } \
	  || echo "nginx could not be installed: the proxy test will say so"
	touch $(NGINX)

# The load generators of `make bench`: Locust into the same .venv, wrk from the distribution.
$(BENCH): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH)

install: $(STAMP) $(BROWSER) $(NGINX)

# A local trial: the demo sign-in (loopback only; never behind a proxy) is switched on here.
# PORT=8001 make serve when 8000 is taken.
serve: $(RUNTIME)
	WAP_DEMO_SIGN_IN=true $(BIN)/wap serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(BROWSER) $(NGINX)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Reproduces docs/performance.md (about 8 minutes; BENCH_ARGS=--quick for a smoke run).
bench: $(BENCH)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	bench/run $(BENCH_ARGS)

fuzz: $(STAMP)
	WAP_FUZZ_EXAMPLES=200 $(BIN)/python -m pytest tests/integration/test_fuzz.py

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
