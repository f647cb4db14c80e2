# tutorbot — the commands a newcomer needs:  make chat (or make web)   and   make test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat web test lint bench

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, at this exact pin. Where PyPI would serve a multi-GB CUDA build, pass
	# TORCH_INDEX=https://download.pytorch.org/whl/cpu to take the CPU build instead.
	$(BIN)/pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

chat: setup  ## set up, then open the console tutor on the embedded SQLite default
	$(BIN)/tutorbot chat

web: setup  ## set up, then open the chat in your browser at http://127.0.0.1:8080/
	$(BIN)/tutorbot web

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint  ## set up, then lint, check import contracts and run every test (SQLite + Postgres)
	$(BIN)/pytest

bench: setup  ## print benchmark figures
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done
