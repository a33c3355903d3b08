# convnets-lab: `make lab` opens the course, `make test` runs every test. Each is `uv run course.py <target>`
# (the same command works on Windows without make); uv builds .venv/ from uv.lock on the first run.
UV_FOUND := $(shell command -v uv 2>/dev/null)
UV ?= $(if $(UV_FOUND),$(UV_FOUND),.uv/bin/uv)
RUN := $(UV) run --locked course.py
PORT ?= 8888

.PHONY: lab test unit lint data test-browser test-cpu test-python test-colab test-student check-platforms \
	requirements html bench notebooks student teaching mutation clean-env help
.DEFAULT_GOAL := help

help:
	@echo "make lab             open the course in JupyterLab (builds .venv/ and data/ first if needed)"
	@echo "make test            ruff, helpers unit tests, strict nbval over every notebook"
	@echo "make test-browser    the notebooks in a real JupyterLab in headless Chromium (needs /usr/bin/chromium)"
	@echo "make test-cpu        strict nbval with torch on other CPUs' kernels and on one thread (VARIANT=avx2 for one)"
	@echo "make test-python     unit tests + notebooks 01-02 on Python 3.12 and 3.13 (PYTHONS='3.10 3.13' to pick)"
	@echo "make test-colab      play a Colab user: bare Python 3.12 with torch, the notebooks' own install cell"
	@echo "make test-student    run every student notebook, fill it from the answer key; nbgrader grades one"
	@echo "make check-platforms uv.lock is current and installs on Linux, macOS, Windows x Python 3.10-3.13"
	@echo "make requirements    regenerate requirements.txt (conda, Binder, JupyterHub) from uv.lock"
	@echo "make html            the notebooks as an offline static site in site/"
	@echo "make bench           time every notebook, every deck cell, the training paths (benchmarks/*.md)"
	@echo "make student         rewrite student/ and an nbgrader course folder in build/nbgrader/"
	@echo "make teaching        rewrite TEACHING.md (the teacher's guide) from the decks and make bench's timings"
	@echo "make notebooks       re-execute the notebooks and decks from sources/ (NB=01 for one, ONLY=slides)"
	@echo "make mutation        mutation testing of helpers/ (mutmut, ~20 min); writes benchmarks/MUTATION.md"

# uv itself, when it is not on PATH: a private copy from PyPI (learners: see README for uv's own installer).
.uv/bin/uv:
	python3 -m venv .uv
	.uv/bin/python -m pip install --quiet "uv>=0.11.3"

lab: $(UV)
	$(RUN) lab --port $(PORT)

test: $(UV)
	$(RUN) test

unit: $(UV)
	$(RUN) test tests

lint: $(UV)
	$(RUN) lint

data: $(UV)
	$(RUN) data

test-browser: $(UV)
	$(RUN) test-browser

test-cpu: $(UV)
	$(RUN) test-cpu $(if $(VARIANT),--variant $(VARIANT))

PYTHONS ?= 3.12 3.13
test-python: $(UV)
	$(RUN) test-python $(PYTHONS)

test-colab: $(UV)
	$(RUN) test-colab

test-student: $(UV)
	$(RUN) test-student

student: $(UV)
	$(RUN) student

teaching: $(UV)
	$(RUN) teaching

check-platforms: $(UV)
	$(RUN) check-platforms

requirements: $(UV)
	$(RUN) requirements

html: $(UV)
	$(RUN) html

bench: $(UV)
	$(RUN) bench

notebooks: $(UV)
	$(RUN) notebooks $(NB) $(if $(ONLY),--only $(ONLY))

mutation: $(UV)
	$(RUN) mutation

clean-env:
	rm -rf .venv .venv-3.* .uv
