# convnets-lab: `make lab` opens the course, `make test` runs every test. Both build .venv/ first if needed.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   := $(or $(CONVNETS_DATA),data)
MNIST  := $(DATA)/MNIST/raw/t10k-labels-idx1-ubyte
PORT   ?= 8888

.PHONY: lab test unit test-browser html bench notebooks lint env data clean-env help
.DEFAULT_GOAL := help

help:
	@echo "make lab        open the course in JupyterLab (builds .venv/ and data/ first if needed)"
	@echo "make test       helpers unit tests + strict nbval over every notebook"
	@echo "make test-browser  run notebooks in a real JupyterLab in headless Chromium (needs /usr/bin/chromium)"
	@echo "make html       render the notebooks into an offline static site in site/"
	@echo "make bench      time every notebook and the training paths; writes benchmarks/RESULTS.md"
	@echo "make notebooks  re-execute the notebooks from sources/ and save them (NB=01 for one)"
	@echo "make lint       ruff over helpers, tests and the notebooks (nbqa)"

# The environment: one pinned resolution (requirements.txt), rebuilt when it or pyproject.toml changes.
$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

env: $(STAMP)

$(MNIST): | $(STAMP)
	$(BIN)/python -m helpers.data

data: $(MNIST)

lab: $(STAMP) $(MNIST)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) --ServerApp.root_dir=notebooks

test: $(STAMP) $(MNIST) lint
	$(BIN)/python -m pytest

unit: $(STAMP) $(MNIST)
	$(BIN)/python -m pytest tests

test-browser: $(STAMP) $(MNIST)
	$(BIN)/python -m pytest browser_tests

html: $(STAMP)
	$(BIN)/python tools/build_site.py --out site

bench: $(STAMP) $(MNIST)
	$(BIN)/python benchmarks/run.py

notebooks: $(STAMP) $(MNIST)
	$(BIN)/python tools/build_notebooks.py $(NB)

lint: $(STAMP)
	$(BIN)/ruff check helpers tests tools sources browser_tests benchmarks conftest.py
	$(BIN)/nbqa ruff notebooks

clean-env:
	rm -rf $(VENV)
