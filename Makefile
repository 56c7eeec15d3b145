# Two commands on a fresh clone: `make run` (serve the API with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DATA := var
PORT ?= 8000
export PREORDER_DATA_DIR ?= $(CURDIR)/$(DATA)

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: set up, migrate the SQLite database under var/, load the demo catalog into an empty one, print
## demo keys, serve on PORT (8000).
run: $(STAMP)
	$(BIN)/preorder db upgrade
	$(BIN)/preorder catalog load --if-empty engine/demo/catalog.yaml
	@mkdir -p $(DATA)
	@test -s $(DATA)/demo-shop.key || $(BIN)/preorder keys create --account demo-shop \
		--scopes orders:write --scopes orders:read > $(DATA)/demo-shop.key
	@test -s $(DATA)/admin.key || $(BIN)/preorder keys create --account admin --scopes admin > $(DATA)/admin.key
	@echo "demo shop key (orders:write orders:read): $$(cat $(DATA)/demo-shop.key)"
	@echo "admin key:                                $$(cat $(DATA)/admin.key)"
	@echo "API on http://127.0.0.1:$(PORT) - docs at http://127.0.0.1:$(PORT)/docs"
	$(BIN)/preorder serve --host 127.0.0.1 --port $(PORT)

## test: set up and run the whole suite (PostgreSQL tests are required when CI=true).
test: $(STAMP)
	$(BIN)/pytest

## lint: ruff, mypy and the import-layer contracts.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .mypy_cache .ruff_cache
