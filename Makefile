# ROI Gateway. Quick start: `make run` (serve on the embedded default) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the product and its tests need. chromium: browser tests; poppler-utils and
# qpdf: independent checkers in tests; tesseract-ocr: OCR of scanned pages; fonts-dejavu-core:
# the font embedded in generated documents (accountings of disclosures).
DEBS := tesseract-ocr tesseract-ocr-eng poppler-utils qpdf chromium fonts-dejavu-core
# Debian packages the benchmarks need (bench/README.md): wrk drives the download benchmark.
BENCH_DEBS := wrk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_XDIST ?= -n 2

.PHONY: run setup debs venv test test-fast lint fmt test-unit test-pg clean-data bench-setup install-debs

run: setup
	$(BIN)/roi db upgrade
	$(BIN)/roi demo --if-empty
	$(BIN)/roi serve

setup: debs venv

# Idempotent: installs only what is missing.
debs:
	@$(MAKE) --no-print-directory install-debs PACKAGES="$(DEBS)"

# The benchmarks' tools (not needed by the product or its tests): wrk, and py-spy for --profile.
bench-setup: setup
	@$(MAKE) --no-print-directory install-debs PACKAGES="$(BENCH_DEBS)"
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'

install-debs:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	set -o pipefail; $(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]' 2>&1 \
	  | { grep -v "is ignored: it is neither a file nor a directory" || true; }
	touch $(STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite: gates, everything on SQLite, the database tests again on PostgreSQL. The browser
# tests run in a process of their own: Playwright's sync API keeps an event loop running in the
# thread for the rest of the session, which breaks any later test that calls asyncio.run().
test: setup lint
	bash .ci/services
	$(BIN)/pytest $(PYTEST_XDIST) -m "not browser" tests
	$(BIN)/pytest -m browser tests/e2e/browser
	ROI_TEST_DB=postgresql $(BIN)/pytest $(PYTEST_XDIST) -m db tests

# For iterating: no browser, no PostgreSQL, no corpus, nothing slow.
test-fast: venv
	$(BIN)/pytest $(PYTEST_XDIST) -m "not browser and not corpus and not slow" tests

clean-data:
	rm -rf data
