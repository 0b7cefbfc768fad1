# LDN evidence bundle. `make help` lists the targets. Every target that needs Python
# creates .venv/ from uv.lock on first use (uv itself is bootstrapped from PyPI into .uv/).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV_VERSION := 0.13.8
UV_DIR := .uv
UV := $(UV_DIR)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: help setup git-filter report test test-fast lint format lab work bench browser-deps r-deps clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-13s %s\n", $$1, $$2}'

$(UV):
	@echo "Bootstrapping uv $(UV_VERSION) into $(UV_DIR)/"
	@$(PYTHON) -m venv $(UV_DIR) && $(UV_DIR)/bin/pip install --quiet uv==$(UV_VERSION)

$(STAMP): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

setup: $(STAMP) git-filter ## Create .venv/ from the lock file and install the nbstripout git filter

# Outputs never reach a commit: git runs tracked notebooks through nbstripout (--keep-id keeps
# the committed cell ids, so a clean notebook passes through byte for byte). Local git config
# and .git/info/attributes only; nothing tracked changes. Skipped outside a git checkout.
git-filter: $(STAMP) ## Install the nbstripout git filter for notebooks (done by make setup)
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(VENV)/bin/nbstripout --install && \
	  git config filter.nbstripout.clean "'$(abspath $(PY))' -m nbstripout --keep-id" && \
	  git config diff.ipynb.textconv "'$(abspath $(PY))' -m nbstripout --keep-id -t" && \
	  echo "nbstripout git filter installed: committed notebooks stay without outputs"; fi

report: $(STAMP) ## Build every report into reports/ (offline HTML + reports/index.html)
	$(PY) -m ldn_analysis report

test: $(STAMP) browser-deps lint ## Lint, layer contract and the whole test suite (browser tests included)
	$(VENV)/bin/pytest

test-fast: $(STAMP) ## The edit loop: every test but the browser and full-build ones (about a minute)
	$(VENV)/bin/pytest -q -m "not browser and not slow"

lint: $(STAMP) ## Ruff lint and format check, and the import-linter layer contract
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP) ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

# JupyterLab opens work/, the user's own copy of notebooks/ (git-ignored): running, editing
# and autosaving there never touch the tracked notebooks. A notebook is copied on first use
# and never overwritten; delete work/NAME.ipynb to get the current version back.
lab: $(STAMP) work ## Open JupyterLab on work/: your copy of notebooks/ (git-ignored, never overwritten)
	$(VENV)/bin/jupyter lab --notebook-dir=work $(ROOT_FLAG)

work: ## Copy notebooks/ into work/ (new notebooks only; your copies are kept)
	@mkdir -p work
	@for src in notebooks/*.ipynb; do \
	  dest="work/$${src#notebooks/}"; \
	  if [ ! -e "$$dest" ]; then cp "$$src" "$$dest"; \
	  elif [ "$$src" -nt "$$dest" ] && ! cmp -s "$$src" "$$dest"; then \
	    echo "kept your $$dest; notebooks/ has a newer version (delete yours to get it)"; fi; \
	done

bench: $(STAMP) r-deps ## Run the benchmarks and write benchmarks/RESULTS.md
	$(PY) -m benchmarks.run

browser-deps: ## Install Debian's chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

r-deps: ## Install R and metafor from Debian when missing (benchmarks, fixture regeneration)
	@command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(metafor)' >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-metafor r-cran-lme4 >/dev/null; }

clean: ## Remove reports/ and caches (never data/)
	rm -rf reports .pytest_cache .ruff_cache
