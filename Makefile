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

.PHONY: setup test course notebooks clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@

# Unit tests, then every notebook under nbval with short training budgets (GANLIB_QUICK=1).
test: setup
	GANLIB_QUICK=1 $(BIN)/python -m pytest --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests notebooks

# The whole course, headless: executed notebooks, HTML copies and build/course/index.html.
# Extra notebook parameters: make course P="-p EPOCHS 3".
course: setup
	$(BIN)/ganlib course --out build/course $(P)

# Re-execute the committed notebooks in place (the only way their outputs are made).
notebooks: setup
	$(BIN)/ganlib notebooks

clean:
	rm -rf build
