# chiso — two commands do everything: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export CHISO_DATA_DIR ?= ./data

.PHONY: run test test-fast lint install demo bench bench-web clean docs

# Debian packages: WeasyPrint's Pango/HarfBuzz and fonts with Vietnamese glyphs (PDF
# bulletins), Chromium (browser tests). Installed only when missing, and only as root.
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core fonts-liberation libreoffice-writer-nogui poppler-utils chromium openjdk-17-jre-headless

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	@dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES); \
	  else echo "please install: $(DEB_PACKAGES)"; exit 1; fi; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## make run — prepare the embedded store with the Bắc Ninh demo and start chiso.
run: $(STAMP)
	$(BIN)/chiso init --demo
	$(BIN)/chiso serve

## make test — lint, the layer contract and the whole suite on both cores (PostgreSQL on
## 127.0.0.1:5432 is used when present; required when CI=true).
test: $(STAMP) lint
	$(BIN)/python -m pytest -q -n 2 $(PYTEST_ARGS)

## make test-fast — the inner loop: everything but the slow and browser tests.
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -q -n 2 -m "not slow and not browser" $(PYTEST_ARGS)

## make lint — ruff and the layer contract (import-linter, docs/architecture.md).
lint: $(STAMP)
	$(BIN)/ruff check chiso tests benchmarks
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_index.py

## make bench-web — the web pages under 100 concurrent clients (needs Debian's wrk).
bench-web: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python benchmarks/bench_web.py

clean:
	rm -rf $(VENV) data .pytest_cache
