# Two commands matter: `make run` and `make test`. Everything else is a step of theirs.
# uv from PATH, else a private copy in .tools/uv: `pip install --target` works where the system
# Python refuses installs ("externally-managed-environment", PEP 668: Debian, Ubuntu).
UV ?= $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/uv/bin/uv)
PORT ?= 8501
# Install packages with their bytecode compiled (about 10 s, once). Where Python may not write its
# cache (PYTHONDONTWRITEBYTECODE, a read-only environment) every start otherwise compiles pandas,
# plotly and streamlit from source: the app's server was ready in about 4 s instead of 1.4 s here.
export UV_COMPILE_BYTECODE ?= 1
export AIGRID_CHROMIUM ?= $(shell command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || command -v google-chrome 2>/dev/null)

.PHONY: help env run dev serve test test-fast chromium nginx data bench load replicas lint clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

env: .venv/.synced  ## Create the virtual environment from uv.lock

.venv/.synced: pyproject.toml uv.lock
	@command -v "$(UV)" >/dev/null 2>&1 || { echo "uv not found: installing it into .tools/uv with pip" >&2; \
	  python3 -m pip install --quiet --target .tools/uv uv; }
	$(UV) sync --frozen
	@touch $@

run: env  ## Start the app on http://localhost:8501 (works offline on the bundled snapshot)
	$(UV) run python scripts/serve.py --server.port $(PORT)

dev: env  ## Like run, and reruns the app when a source file is saved
	$(UV) run python scripts/serve.py --server.port $(PORT) --server.fileWatcherType auto \
	  --server.runOnSave true

serve: env  ## Production settings: headless, XSRF on, uploads capped, error details hidden
	$(UV) run python scripts/serve.py --server.port $(PORT) --server.headless true \
	  --server.enableXsrfProtection true --server.maxUploadSize 1 --client.showErrorDetails none

chromium:  ## Install Debian's Chromium when no browser is found (browser tests, image export)
	@bash scripts/ensure_chromium.sh

nginx:  ## Install Debian's nginx when missing (the replica browser test)
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; } || echo "nginx not installed: tests/browser/test_replicas.py will skip" >&2

test: env chromium nginx  ## Run every test offline: unit, AppTest, browser and deployment
	AIGRID_OFFLINE=1 $(UV) run pytest

test-fast: env  ## Unit and AppTest only (no browser)
	AIGRID_OFFLINE=1 $(UV) run pytest -m "not browser"

data:  ## Rebuild data/ from the sourced raw files (needs ../shared/data)
	$(UV) run python scripts/build_data.py

bench: env chromium  ## Benchmarks against a hello-world Streamlit app; writes benchmarks/results.md
	AIGRID_OFFLINE=1 $(UV) run python -m benchmarks.run

load: env  ## Load test on loopback: 50 websocket sessions move a /grid slider for 60 s
	AIGRID_OFFLINE=1 $(UV) run python -m benchmarks.load

replicas: env  ## Two replicas behind nginx on http://127.0.0.1:8080 (deploy/nginx.conf)
	bash scripts/serve_replicas.sh

lint: env  ## Ruff and hadolint
	$(UV) run ruff check .
	$(UV) run hadolint Dockerfile

clean:  ## Remove the environment and test artefacts
	rm -rf .venv .tools artifacts .pytest_cache .hypothesis
