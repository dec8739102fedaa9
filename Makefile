# giftshop: the two commands are `make run` and `make test` (GNU make, Python 3.11).
#
#   make run       create .venv, migrate, seed the demo shop, then run web + worker + beat (Procfile)
#                  in the foreground; Ctrl-C or SIGTERM stops everything it started. PORT=8000.
#   make dev       the same with DEBUG on (tracebacks in the browser; never for a shop others reach)
#   make up        the services mode: the same Procfile on DATABASE_URL (PostgreSQL) and REDIS_URL
#   make test      Django checks, the migrations check, then pytest on tests/ (browser tests too
#                  when /usr/bin/chromium exists). Extra pytest arguments: make test PYTEST_ARGS="-x".
#                  axe-core for the accessibility tests comes from `npm ci` (package-lock.json).
#   make mutate    mutation testing (mutmut) of the money and units code; not part of make test.
#   make lint      ruff, and lint-imports (import-linter: the layers of DESIGN §3)
#   make audit     bandit, ruff's security rules, pip-audit, check --deploy (.ci/audit)
#   make lock      recompile requirements*.lock from requirements*.txt (UPGRADE=1: newest allowed)
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

.PHONY: help venv venv-run node run dev up test audit mutate lint lock messages clean

help:
	@echo "make run       run the shop at http://127.0.0.1:$(PORT)/ (web, worker, beat)"
	@echo "make dev       the same with DEBUG on (development only)"
	@echo "make up        the services mode (gunicorn, worker, beat) on DATABASE_URL and REDIS_URL"
	@echo "make test      checks and the whole test suite"
	@echo "make lint      ruff check, and import-linter's layers contract"
	@echo "make lock      recompile the hashed lock files (UPGRADE=1 for the newest allowed versions)"
	@echo "make messages  compile translations"
	@echo "make clean     remove .venv and local state"

# Installs are the lock files, byte for byte (--require-hashes): `make run` the runtime lock,
# `make test` the dev lock (runtime + test tools, the same runtime versions). A stamp newer than its
# lock file makes re-running free. `make lock` compiles the locks from the requirements*.txt ranges.
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check -q --require-hashes --no-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: requirements.lock | $(BIN)/python
	$(PIP_INSTALL) -r requirements.lock
	$(BIN)/python -m pip check -q >/dev/null || $(BIN)/python -m pip check
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(PIP_INSTALL) -r requirements-dev.lock
	$(BIN)/python -m pip check -q >/dev/null || $(BIN)/python -m pip check
	@touch $@ $(VENV)/.installed-run

venv-run: $(VENV)/.installed-run
venv: $(VENV)/.installed-dev

# axe-core for the browser tests' accessibility checks (tests/e2e/test_accessibility.py): `npm ci`
# from package-lock.json, again whenever the lock is newer than the install. Without npm the axe
# tests skip and say so (as the browser tests do without Chromium).
node_modules/axe-core/package.json: package-lock.json package.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the accessibility (axe-core) tests will be skipped (apt-get install npm)"; \
	fi

node: node_modules/axe-core/package.json

# UPGRADE=1: the newest versions the ranges allow (else the locked ones are kept where they still
# fit); UPGRADE_PACKAGE=celery: just that one.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 \
	$(if $(UPGRADE),--upgrade) $(if $(UPGRADE_PACKAGE),--upgrade-package $(UPGRADE_PACKAGE))

lock: venv
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock
	@echo "locks written: review 'git diff requirements*.lock', then make test"

# Every process honcho starts gets DJANGO_SETTINGS_MODULE, SITE_URL and PATH from here; honcho
# gives each process type its own PORT (web gets $(PORT)), so SITE_URL is fixed before it does.
run: export DJANGO_SETTINGS_MODULE := giftshop.settings.local
run: export PATH := $(BIN):$(PATH)
run: export PORT := $(PORT)
run: export SITE_URL := $(SITE_URL)
run: venv-run
	@mkdir -p var/static
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) seed_demo
	@echo
	@echo "giftshop is starting at $(SITE_URL)/  (admin: $(SITE_URL)/admin/, API: $(SITE_URL)/api/docs/)"
	@echo "This install's own secrets: var/secrets.env (made on first start, mode 0600). DEBUG is $$([ "$${DJANGO_DEBUG:-0}" = 1 ] && echo on || echo off)."
	@echo "Ctrl-C stops the web server, the worker and the beat."
	@echo
	exec $(BIN)/honcho start -f Procfile

# `make run` with DEBUG on: Django's error pages with tracebacks. For development on one's own machine.
dev: export DJANGO_DEBUG := 1
dev: run

# The benchmark (bench/README.md "make bench"): the services mode on loopback (gunicorn, PostgreSQL
# giftshop_bench_1k, Redis db 14, DEBUG off) under wrk, beside the baseline views of the bench
# settings; writes bench/RESULTS.md. About 8 minutes (plus ~40 s the first time, seeding). Not part
# of make test. QUICK=1: one 3-second run per target, a smoke test (bench/results/make_bench_quick.md).
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres), Redis on 127.0.0.1:6379 and wrk (apt-get install wrk).
.PHONY: bench
bench: venv-run
	$(BIN)/python bench/make_bench.py $(if $(QUICK),--quick) $(BENCH_ARGS)

# The services mode on one machine (README "Operations"): the same Procfile against PostgreSQL and
# Redis, which must be given (DATABASE_URL, REDIS_URL); every process reads one SITE_URL.
up: export DJANGO_SETTINGS_MODULE ?= giftshop.settings.local
up: export PATH := $(BIN):$(PATH)
up: export PORT := $(PORT)
up: export SITE_URL := $(SITE_URL)
up: venv-run
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { \
		echo "make up runs on PostgreSQL and Redis: set DATABASE_URL=postgres://... and REDIS_URL=redis://..."; exit 2; }
	@mkdir -p var/static
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	@echo "giftshop (services mode) is starting at $(SITE_URL)/  (health: $(SITE_URL)/healthz)"
	exec $(BIN)/honcho start -f Procfile

test: venv node
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

# Mutation testing of the money and units code ([tool.mutmut] in pyproject.toml says which modules
# and which tests). mutmut works in mutants/ and keeps its results there: a second run retests only
# the functions that changed (rm -rf mutants for a fresh run). MUTATE_ARGS="orders.services.refunds*"
# runs only those mutants. Ends with the score per module; `$(BIN)/mutmut show NAME` shows a mutant.
mutate: venv
	$(BIN)/mutmut run $(MUTATE_ARGS)
	@$(BIN)/mutmut results --all true | awk -F': ' '\
		{ name = $$1; sub(/^ +/, "", name); sub(/\.x[^.]*$$/, "", name); st = $$2; \
		  if (!(name in seen)) { seen[name] = 1; order[++n] = name } \
		  c[name, st]++; c["total", st]++; tot[name]++; tot["total"]++ } \
		END { order[++n] = "total"; \
		  printf "%-30s %7s %8s %7s %8s %6s %6s %6s\n", "module", "killed", "survived", "timeout", "no tests", \
		         "other", "total", "score"; \
		  for (i = 1; i <= n; i++) { m = order[i]; \
		    k = c[m, "killed"] + 0; s = c[m, "survived"] + 0; t = c[m, "timeout"] + 0; nt = c[m, "no tests"] + 0; \
		    printf "%-30s %7d %8d %7d %8d %6d %6d %5.1f%%\n", m, k, s, t, nt, tot[m] - k - s - t - nt, tot[m], \
		           100 * (k + t) / tot[m] } \
		  print "score = (killed + timeout) / total" }'

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Security checks (.ci/audit says what each one holds): bandit, ruff's S rules, pip-audit on both
# locks (a WARN, not a pass, where no vulnerability service answers), check --deploy.
audit: venv
	.ci/audit

messages: venv
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: apt-get install gettext"; exit 1; }
	$(MANAGE) compilemessages --ignore '.venv' --ignore 'mutants'

clean:
	rm -rf $(VENV) .venv-drift var/db.sqlite3* var/broker var/media var/static var/mail var/celerybeat-schedule* \
		var/test-* .pytest_cache .ruff_cache test-artifacts
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
