# gan-course: `make course` runs the course, `make test` runs the tests. Both set up first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The offline MNIST copy beside the checkout, unless GANLIB_DATA already points somewhere.
SHARED_MNIST := $(abspath ../shared/data/mnist/mnist.npz)
ifeq ($(GANLIB_DATA),)
ifneq ($(wildcard $(SHARED_MNIST)),)
export GANLIB_DATA := $(SHARED_MNIST)
endif
endif
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: setup test course clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@

test: setup
	$(BIN)/python -m pytest

course: setup
	$(BIN)/ganlib train --out build/default --epochs 10

clean:
	rm -rf build
