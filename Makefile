# Two commands set everything up on a fresh clone:
#   make run    the main job (creates .venv, installs funnelsim, runs the default scenario sweep)
#   make test   lint and the whole test suite (creates .venv and installs the dev tools first)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean clean-cache

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	# the app's browser test drives Debian's Chromium (Playwright's own browser download is not used)
	if [ ! -x /usr/bin/chromium ]; then apt-get update -qq && apt-get install -y -qq chromium; fi
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/funnelsim sweep $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/bench_model.py --million
	$(PY) benchmarks/bench_sweep.py

clean:
	rm -rf $(VENV) .pytest_cache

# Only frees disk space: the Numba cache lives in a folder named by a hash of every compiled
# source and plug-in (sim/numba_cache.py), so an edit always compiles afresh; old folders stay.
clean-cache:
	find sim agents -name '*.nbi' -delete -o -name '*.nbc' -delete
	rm -rf "$${FUNNELSIM_NUMBA_BASE:-$${XDG_CACHE_HOME:-$$HOME/.cache}/funnelsim/numba}"
