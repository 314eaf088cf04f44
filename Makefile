# The words people type. `make run` and `make test` need nothing but Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-any-hour lint format worker beat bench migrate demo collectstatic clean messages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

var:
	mkdir -p var/mail

migrate: $(VENV)/.runtime var
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput -v0

# Links in emails and in what load_demo prints point at the address `make run` serves, unless SITE_URL says otherwise.
RUN_ENV = DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

demo: migrate
	$(RUN_ENV) $(PY) manage.py load_demo --sample-visits

run: demo
	@echo ""
	@echo "  Armor Physical Therapy is starting at http://$(HOST):$(PORT)/"
	@echo "  Staff admin:  http://$(HOST):$(PORT)/admin/  (user admin, password armor-local-demo; local only)"
	@echo "  Emails a patient would receive are written to var/mail/"
	@echo ""
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

# The suite (less browser tests) under a faked system clock at four hard instants (needs faketime).
test-any-hour: $(VENV)/.dev
	bash .ci/test-at-instants $(PYTEST_ARGS)

# After changing text a patient reads: the Spanish catalog gets the new strings (fill in their msgstr in
# locale/es/LC_MESSAGES/django.po), then it is compiled. Needs GNU gettext (apt-get install gettext).
# The admin stays English, so its code is left out. The compiled .mo is committed: `make run` needs no gettext.
MESSAGES_IGNORE = --ignore='*/admin/*' --ignore='*/admin.py' --ignore='*/migrations/*' --ignore='*/management/*' \
	--ignore='*/demo.py' --ignore='tests/*' --ignore='benchmarks/*' --ignore='node_modules/*' --ignore='var/*' \
	--ignore='static/*' --ignore='docs/*' --ignore='test-artifacts/*'
messages: $(VENV)/.dev
	DEBUG=true $(PY) manage.py makemessages -l es --no-obsolete --no-wrap --no-location $(MESSAGES_IGNORE)
	DEBUG=true $(PY) manage.py compilemessages -l es --ignore='.venv' --ignore='node_modules'
	$(PY) -m tests.i18n_catalog

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# A worker with an embedded beat, for one machine. In production run one `beat` and any number of workers.
worker: $(VENV)/.runtime
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) first; without it tasks run in-process."; exit 2; }
	$(BIN)/celery -A armorpt worker --beat --loglevel=INFO --concurrency=2

beat: $(VENV)/.runtime
	$(BIN)/celery -A armorpt beat --loglevel=INFO

collectstatic: $(VENV)/.runtime
	$(PY) manage.py collectstatic --noinput -v0

$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-bench.txt
	touch $@

# Needs wrk (apt-get install wrk); PostgreSQL and Redis via BENCH_DATABASE_URL / BENCH_REDIS_URL (see README).
bench: $(VENV)/.bench
	$(PY) benchmarks/run_all.py

clean:
	rm -rf var/static var/bench
