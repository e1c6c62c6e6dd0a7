# Two commands on a fresh machine: `make run` and `make test`. Nothing else to install by hand.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: install run serve test lint format schemas check-schemas clean-data bench bench-generator import-free-exercise-db dashboard-assets docs-assets

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required" or 0)'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Embedded PostgreSQL when DATABASE_URL is unset; migrate, seed, serve on 127.0.0.1:$(PORT).
run: install
	PORT=$(PORT) $(PY) -m service run

## Serve as in production, against DATABASE_URL (no migration, no seed): WORKERS processes (default 2);
## set REDIS_URL so that their rate-limit counters are shared.
WORKERS ?= 2
serve: install
	PORT=$(PORT) $(PY) -m service serve --workers $(WORKERS)

## The whole suite on a real PostgreSQL: TEST_DATABASE_URL when set, else an embedded one under .data/.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy service

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Regenerate the committed contracts (openapi/openapi.json, openapi/schema.graphql).
schemas: install
	$(PY) -m service export-schemas

## Import free-exercise-db's exercises.json into DATABASE_URL (seeded first): FILE=path [DRY_RUN=1].
import-free-exercise-db: install
	@test -n "$(FILE)" || { echo 'FILE is required: make import-free-exercise-db FILE=path/to/exercises.json [DRY_RUN=1]' >&2; exit 2; }
	$(PY) -m service import free-exercise-db "$(FILE)" $(if $(DRY_RUN),--dry-run)

clean-data:
	rm -rf .data

## Load benchmark of the production server (needs wrk: `sudo apt-get install wrk`); figures in .data/bench.json.
bench: install
	$(PY) bench/run.py

## The program generator alone (no database, no HTTP) on the curated catalogue and on 1k, 10k and 100k exercises
## (synthetic, seeded): index build time, generation median and p95; figures in .data/bench-generator.json.
bench-generator: install
	$(PY) bench/generator.py

## Vendor the dashboard's front-end packages from the npm registry (dashboard/package-lock.json) into
## service/dashboard/static/vendor, where they are committed: the service needs no npm and no CDN at run time.
dashboard-assets:
	cd dashboard && npm ci --no-audit --no-fund
	cp dashboard/node_modules/chart.js/dist/chart.umd.min.js service/dashboard/static/vendor/
	cp dashboard/node_modules/chart.js/LICENSE.md service/dashboard/static/vendor/chart.js-LICENSE.md

## Vendor the API reference's (/schema, Scalar) and GraphiQL's (/graphql) front-end packages from the npm registry
## (docs-ui/package-lock.json, exact versions) into service/docs/static/vendor, where they are committed: the pages
## load nothing from another host (service/docs/pages.py). @scalar/api-reference ships no LICENSE file: its
## repository's MIT license is kept by hand in scalar-api-reference-LICENSE; the GraphiQL explorer plugin shares
## GraphiQL's repository and license.
DOCS_VENDOR := service/docs/static/vendor
DOCS_NPM    := docs-ui/node_modules
docs-assets:
	cd docs-ui && npm ci --no-audit --no-fund --ignore-scripts
	cp $(DOCS_NPM)/@scalar/api-reference/dist/browser/standalone.js $(DOCS_VENDOR)/scalar-api-reference.standalone.js
	cp $(DOCS_NPM)/graphiql/graphiql.min.js $(DOCS_NPM)/graphiql/graphiql.min.css $(DOCS_VENDOR)/
	cp $(DOCS_NPM)/graphiql/LICENSE $(DOCS_VENDOR)/graphiql-LICENSE
	cp $(DOCS_NPM)/@graphiql/plugin-explorer/dist/index.umd.js $(DOCS_VENDOR)/graphiql-plugin-explorer.umd.js
	cp $(DOCS_NPM)/@graphiql/plugin-explorer/dist/style.css $(DOCS_VENDOR)/graphiql-plugin-explorer.css
	cp $(DOCS_NPM)/graphiql/LICENSE $(DOCS_VENDOR)/graphiql-plugin-explorer-LICENSE
	cp $(DOCS_NPM)/react/umd/react.production.min.js $(DOCS_VENDOR)/
	cp $(DOCS_NPM)/react/LICENSE $(DOCS_VENDOR)/react-LICENSE
	cp $(DOCS_NPM)/react-dom/umd/react-dom.production.min.js $(DOCS_VENDOR)/
	cp $(DOCS_NPM)/react-dom/LICENSE $(DOCS_VENDOR)/react-dom-LICENSE
