# cae-hub — tâches courantes. Seul prérequis : Python ≥ 3.11.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run serve demo test lint typecheck bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus récent est requis")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run : installe, prépare la base SQLite sous ./var, charge la démo et sert le hub
## (port 8000, ou celui de HUB_PORT : HUB_PORT=8001 make run). Ctrl+C l'arrête.
run: install
	@$(BIN)/cae-hub serve --check-port
	$(BIN)/cae-hub demo
	$(BIN)/cae-hub serve

serve: install
	$(BIN)/cae-hub serve

## make test : installe puis passe tous les tests (SQLite, et PostgreSQL s'il répond)
test: install lint typecheck
	$(BIN)/cae-hub schemas check
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check cae_contract hub connectors tests bench
	$(BIN)/ruff format --check cae_contract hub connectors tests bench
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

## make bench : mesures de performance, chacune comparée à un pair mesuré dans la même exécution
bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench

## make clean : remet à zéro (base, démo et journaux sous ./var, environnement .venv)
clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
