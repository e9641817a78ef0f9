# The README's two commands: `make run` and `make test`. Both (re)build .venv when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "newsetl needs Python >= 3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[local,dask,dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/newsetl run
	$(BIN)/newsetl search "cease-fire hostages"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

clean:
	-$(BIN)/newsetl es down
	rm -rf $(VENV) .newsetl
