# The two commands of the README: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_VERSION ?= 2.13.0

.PHONY: install run test lint check docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU build of torch first, by exact version, so nothing pulls the CUDA packages.
	$(BIN)/python -m pip install --quiet torch==$(TORCH_VERSION)
	# setuptools explains editable installs in a banner a user can do nothing about: that one warning is
	# silenced by its exact text, every other one still shows.
	PYTHONWARNINGS='ignore:Editable installation:UserWarning' $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/govassist kb check
	$(BIN)/govassist train
	$(BIN)/govassist serve

test: install lint
	$(BIN)/python -m pytest

# ruff and mypy, configured in pyproject.toml; any finding fails (and so fails `make test` and CI).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

check: install
	$(BIN)/govassist kb check

# docs/cli.md, from the commands' own --help (tests/test_docs.py fails when it is out of date).
docs: install
	$(BIN)/python -m cli.reference > docs/cli.md

clean:
	rm -rf $(VENV) build *.egg-info
