# Sunlit: two commands on a fresh Debian machine with Python 3.11 — `make run`, `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= city

.PHONY: setup run test test-fast lint format messages static clean e2e-deps serve-only

# --- setup: virtualenv and Python packages from the lock file, npm packages from
# package-lock.json, vendor files copied into static, migrations. Each step re-runs only
# when its lock file changed.
setup: $(BIN)/.installed node_modules/.installed build/static/.built

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/.built: node_modules/.installed scripts/build_static.py
	$(BIN)/python scripts/build_static.py
	touch $@

static: build/static/.built

# --- run: the web server and the background worker and scheduler, with the demo city
# when the database is empty. Ctrl-C stops all three.
run: setup
	$(BIN)/sunlit migrate --noinput
	$(BIN)/sunlit demo --scale $(SCALE) --if-empty
	@test -s var/demo-accounts.txt && echo "Demo accounts: var/demo-accounts.txt" || true
	@echo "Sunlit: http://$(HOST):$(PORT)/  (kiosk: http://$(HOST):$(PORT)/kiosk/, back office: http://$(HOST):$(PORT)/office/)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/sunlit db_worker & \
	  $(BIN)/sunlit scheduler & \
	  $(BIN)/sunlit runserver $(HOST):$(PORT) --noreload

# --- test: the whole suite, browser journeys included (system Chromium).
test: setup e2e-deps
	$(BIN)/pytest -q -n $${PYTEST_WORKERS:-2} --dist loadgroup

test-fast: setup
	$(BIN)/pytest -q -m "not e2e"

# Chromium from Debian for the browser tests; never a downloaded browser. A CJK font so
# the screenshots in docs/ show Chinese rather than empty boxes.
e2e-deps:
	@test -x /usr/bin/chromium -a -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "Browser tests need Debian's chromium and a CJK font: sudo apt-get install -y chromium fonts-wqy-microhei"; exit 1; fi; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sunlit
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: setup
	$(BIN)/sunlit makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=build --ignore=var --ignore='*/tests/*'
	$(BIN)/sunlit compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules build
