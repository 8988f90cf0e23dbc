# One-command setup and run. `make run` and `make test` install what is missing first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
# CMAKE_ARGS is passed through to the llama.cpp build, e.g.
#   CMAKE_ARGS="-DGGML_METAL=on" make install     (Apple Silicon)
#   CMAKE_ARGS="-DGGML_CUDA=on"  make install     (NVIDIA)

.PHONY: install run test lint bench clean translations constraints

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -c constraints.txt --upgrade pip
	$(PIP) install -c constraints.txt torch==$(TORCH_VERSION)
	$(PIP) install -c constraints.txt -e ".[dev]"
	$(PY) -m assistant.tools.setup_wordnet
	@touch $(STAMP)

run: install
	$(VENV)/bin/assistant

test: install
	@QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
	  $(PY) -m pytest -ra $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

lint: install
	$(VENV)/bin/ruff check .
	$(PY) -m mypy

# The template translators start from; a translation is ui/translations/voice_assistant_<lang>.ts,
# compiled to .qm with $(VENV)/bin/pyside6-lrelease and loaded for the system's language.
translations: install
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(ls ui/*.py ui/widgets/*.py) -ts ui/translations/voice_assistant.ts

bench: install
	HF_HUB_OFFLINE=1 $(PY) benchmarks/bench_chat.py

# constraints.txt: every package `make install` installs (pyproject's dependencies and the
# dev extra, transitive ones included), pinned, with the environment markers uv's universal
# resolution gives so that one file serves Linux, macOS and Windows. Versions already in the
# file are kept; `make constraints UPGRADE=1` moves them to the newest allowed. The comment
# lines at the top of constraints.txt are kept as they are.
# torch stays at TORCH_VERSION (the CPU wheel CI installs) even with UPGRADE=1.
UV_VERSION    := 0.13.10
TORCH_VERSION := 2.13.0
constraints:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet uv==$(UV_VERSION)
	cp constraints.txt constraints.txt.new
	echo "torch==$(TORCH_VERSION)" > constraints.txt.torch
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  -c constraints.txt.torch --no-header $(if $(UPGRADE),--upgrade) --quiet \
	  -o constraints.txt.new
	{ awk '!/^#/ {exit} {print}' constraints.txt; cat constraints.txt.new; } > constraints.txt.tmp
	mv constraints.txt.tmp constraints.txt
	rm -f constraints.txt.new constraints.txt.torch

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
