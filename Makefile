# AIMEE — one command to run the demo, one to run the tests. Everything installs from this repo's files.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR):$(CURDIR)/gen
DB ?= aimee_db

.PHONY: help setup gen lint data data-reset data-scale migrate migrate-knowledge up down status demo test bench llm-local clean \
	import export backup restore sample-files

help:
	@echo "make demo    - set up everything, start the mesh, answer the seed's two example requests"
	@echo "make test    - set up everything and run the whole test suite"
	@echo "make up | down | status | data | data-scale | migrate-knowledge | bench | lint | llm-local"
	@echo "make import KIND=attendance FILE=x.csv [DRY_RUN=1] [SKIP_BAD_ROWS=1] [REPLACE=1] | export DATASET=alerts [FORMAT=csv]"
	@echo "make backup | restore FILE=var/backups/x.tar.gz [DATABASE=name] [FORCE=1] | sample-files | migrate"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

gen/.stamp: $(VENV)/.installed $(shell find protos -name '*.proto') tools/gen_protos.sh
	PY=$(PY) tools/gen_protos.sh
	touch $@

setup: $(VENV)/.installed gen/.stamp

gen: setup

lint: setup
	PY=$(PY) tools/buf_lint.sh

# Schema + deterministic sample data (history ends today) into $(DB); kept if already loaded today.
data: setup
	$(PY) -m db.load --database $(DB) --if-stale
	DATABASE_URL=mysql://root@127.0.0.1:3306/$(DB) $(PY) -m services.analytics.backfill

data-reset: setup
	$(PY) -m db.load --database $(DB)
	DATABASE_URL=mysql://root@127.0.0.1:3306/$(DB) $(PY) -m services.analytics.backfill

data-scale: setup
	$(PY) -m db.load --database aimee_scale --scale --sites 50 --staff 200 --days 365

# Pending schema migrations (db/migrations) into $(DB); make data and the loader run them too.
migrate: setup
	$(PY) -m db.migrate --database $(DB)

# Bring your own data (docs/imports.md). The database is $(DB) unless DATABASE=... is given.
DATABASE ?= $(DB)
import: setup
	@test -n "$(KIND)" -a -n "$(FILE)" || { echo "usage: make import KIND=attendance FILE=path [DRY_RUN=1] [SKIP_BAD_ROWS=1] [REPLACE=1]"; exit 2; }
	$(PY) -m services.dataio import --database $(DATABASE) --kind $(KIND) --file "$(FILE)" \
		$(if $(DRY_RUN),--dry-run) $(if $(SKIP_BAD_ROWS),--skip-bad-rows) $(if $(REPLACE),--replace)

export: setup
	@test -n "$(DATASET)" || { echo "usage: make export DATASET=assignments|alerts|productivity [FORMAT=xlsx|csv] [LOCATION=横浜] [OUT=file]"; exit 2; }
	$(PY) -m services.dataio export --database $(DATABASE) --dataset $(DATASET) --format $(or $(FORMAT),xlsx) \
		$(if $(LOCATION),--location "$(LOCATION)") $(if $(OUT),--out "$(OUT)")

backup: setup
	$(PY) -m services.dataio backup --database $(DATABASE)

restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/aimee-....tar.gz [DATABASE=name] [FORCE=1]"; exit 2; }
	$(PY) -m services.dataio restore "$(FILE)" --database $(DATABASE) $(if $(FORCE),--force)

sample-files: setup
	$(PY) -m services.dataio samples --out var/samples

# With embedded Chroma only one process may open the store: refuse while the mesh runs (the knowledge
# engine also seeds an empty collection by itself at start).
migrate-knowledge: setup
	@if [ -z "$$CHROMADB_HOST" ] && $(PY) -m services.launcher status >/dev/null 2>&1; then \
		echo "the mesh is running with embedded Chroma: run 'make down' first (or set CHROMADB_HOST)"; exit 1; fi
	$(PY) -m services.knowledge.migrate

up: setup
	$(PY) -m services.launcher up

down:
	@if [ -x $(PY) ]; then $(PY) -m services.launcher down; fi

status:
	$(PY) -m services.launcher status

demo: setup data
	@$(PY) -m services.launcher status >/dev/null 2>&1 || $(MAKE) --no-print-directory migrate-knowledge
	$(PY) -m services.launcher up
	$(PY) tools/demo.py

test: setup lint
	$(PY) -m pytest -q -p no:cacheprovider

bench: setup
	$(PY) -m pip install --quiet --no-deps -r requirements-bench.txt
	$(PY) -m bench.run_all

llm-local: setup
	tools/llm_local.sh

clean: down
	rm -rf gen deploy/gen build var node_modules $(VENV)
