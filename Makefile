# giftshop: the two commands are `make run` and `make test` (GNU make, Python 3.11).
#
#   make run       create .venv, migrate, seed the demo shop, then run web + worker + beat (Procfile)
#                  in the foreground; Ctrl-C or SIGTERM stops everything it started. PORT=8000.
#   make test      Django checks, the migrations check, then pytest on tests/ (browser tests too
#                  when /usr/bin/chromium exists). Extra pytest arguments: make test PYTEST_ARGS="-x".
#   make lint      ruff
#   make messages  compile translations (.po -> .mo; needs gettext)
#   make clean     remove .venv and local state under var/

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
MANAGE := $(BIN)/python manage.py
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: help venv run test lint messages clean

help:
	@echo "make run       run the shop at http://127.0.0.1:$(PORT)/ (web, worker, beat)"
	@echo "make test      checks and the whole test suite"
	@echo "make lint      ruff check"
	@echo "make messages  compile translations"
	@echo "make clean     remove .venv and local state"

# The stamp is newer than every requirements file once they are installed: re-running is free.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

# Every process honcho starts gets DJANGO_SETTINGS_MODULE, SITE_URL and PATH from here; honcho
# gives each process type its own PORT (web gets $(PORT)), so SITE_URL is fixed before it does.
run: export DJANGO_SETTINGS_MODULE := giftshop.settings.local
run: export PATH := $(BIN):$(PATH)
run: export PORT := $(PORT)
run: export SITE_URL := $(SITE_URL)
run: venv
	@mkdir -p var/static
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) seed_demo
	@echo
	@echo "giftshop is starting at $(SITE_URL)/  (admin: $(SITE_URL)/admin/, API: $(SITE_URL)/api/docs/)"
	@echo "Ctrl-C stops the web server, the worker and the beat."
	@echo
	exec $(BIN)/honcho start -f Procfile

test: venv
	@mkdir -p var
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	@args=(tests); \
	if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Chromium not found: browser tests skipped (apt-get install chromium)"; \
		args+=(-m "not e2e"); \
	fi; \
	rc=0; $(BIN)/pytest --ds=giftshop.settings.test "$${args[@]}" $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; \
	exit $$rc

lint: venv
	$(BIN)/ruff check .

messages: venv
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: apt-get install gettext"; exit 1; }
	$(MANAGE) compilemessages --ignore '.venv'

clean:
	rm -rf $(VENV) var/db.sqlite3* var/broker var/media var/static var/mail var/celerybeat-schedule* \
		var/test-* .pytest_cache .ruff_cache test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
