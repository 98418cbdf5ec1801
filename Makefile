# The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SHEQU := $(VENV)/bin/shequ
PORT ?= 8000
export PORT

.PHONY: run test setup deps static migrate bench lint check-migrations clean

$(VENV)/.deps: requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python3 >= 3.11 is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

deps: $(VENV)/.deps

static_vendor/.stamp: package-lock.json
	npm ci --no-audit --no-fund --silent
	rm -rf static_vendor && mkdir -p static_vendor/vendor/leaflet
	cp node_modules/htmx.org/dist/htmx.min.js static_vendor/vendor/htmx.min.js
	# Alpine's CSP build evaluates no expressions (no eval/new Function): script-src needs no 'unsafe-eval'.
	cp node_modules/@alpinejs/csp/dist/cdn.min.js static_vendor/vendor/alpine-csp.min.js
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	      node_modules/leaflet/dist/images static_vendor/vendor/leaflet/
	cp node_modules/echarts/dist/echarts.min.js static_vendor/vendor/echarts.min.js
	touch $@

static: static_vendor/.stamp

setup: deps static
	$(SHEQU) migrate --noinput -v0
	$(SHEQU) createcachetable
	$(SHEQU) pii-key init
	$(SHEQU) audit-key init
	$(SHEQU) seed-categories
	$(SHEQU) collectstatic --noinput -v0
	$(SHEQU) demo --if-empty

run: setup
	@echo ""
	@echo "  shequ 社区发展治理平台  http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server and the worker)"
	@echo "  Demo logins: district1, street3, community1, secretary1, organiser1, grid1 …, password $${SHEQU_DEMO_PASSWORD:-shequ-demo-2026}"
	@echo "    (all of them: $(SHEQU) demo-users); auditor1, secadmin1, sysadmin1 also need: $(SHEQU) demo-otp auditor1"
	@echo "  Residents: http://127.0.0.1:$(PORT)/portal/ with $$($(SHEQU) demo-portal 2>/dev/null) (the SMS code appears below)"
	@echo ""
	@$(SHEQU) serve --port $(PORT)

test: deps static
	$(VENV)/bin/ruff check src bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(SHEQU) makemigrations --check --dry-run -v0
	DJANGO_SETTINGS_MODULE=shequ.config.settings.test $(VENV)/bin/pytest -n 2 $(if $(SKIP_BROWSER),-m "not browser")

bench: deps
	$(PY) bench/bench_point_lookup.py
	$(PY) bench/bench_audit.py
	$(PY) bench/bench_import.py
	$(PY) bench/bench_cases.py
	$(PY) bench/bench_classifier.py
	$(PY) bench/bench_tally.py

lint:
	$(VENV)/bin/ruff check src bench
	$(VENV)/bin/ruff format --check src bench

clean:
	rm -rf $(VENV) node_modules static_vendor
