# Two commands set everything up on a fresh clone:
#   make run    the main job (creates .venv, installs funnelsim with its main dependencies only,
#               runs the default scenario sweep)
#   make test   lint and the whole test suite (installs the dev tools on top first)
VENV ?= .venv
PY := $(VENV)/bin/python
MAIN := $(VENV)/.installed-main
STAMP := $(VENV)/.installed

.PHONY: run test lint bench wheel clean clean-cache

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Main dependencies only: what `make run` needs.
$(MAIN): pyproject.toml setup.py | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $(MAIN)

# The dev tools on top (pytest, hypothesis, ruff, the cluster and app extras, Playwright and Chromium).
$(STAMP): pyproject.toml setup.py | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[dev]"
	# the app's browser test drives Debian's Chromium (Playwright's own browser download is not used)
	if [ ! -x /usr/bin/chromium ]; then apt-get update -qq && apt-get install -y -qq chromium; fi
	touch $(MAIN) $(STAMP)

run: $(MAIN)
	$(VENV)/bin/funnelsim sweep $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/bench_model.py --million --sweep

# A wheel in dist/ that carries conf/ and scenarios/ (pip install dist/funnelsim-*.whl).
wheel: $(VENV)/bin/python
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .

clean:
	rm -rf $(VENV) .pytest_cache build dist

# Only frees disk space: the Numba cache lives in a folder named by a hash of every compiled
# source and plug-in (sim/numba_cache.py), so an edit always compiles afresh; old folders stay.
clean-cache:
	find sim agents -name '*.nbi' -delete -o -name '*.nbc' -delete
	rm -rf "$${FUNNELSIM_NUMBA_BASE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/funnelsim/numba}"
	rm -rf "$${XDG_CACHE_HOME:-$$HOME/.cache}/funnelsim/configs"
