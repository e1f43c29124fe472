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

.PHONY: setup test course notebooks classifier pretrained bench clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@

# Unit tests, then every notebook under nbval with short training budgets (GANLIB_QUICK=1).
# The notebooks run from fresh copies in an empty folder, so no run folder an earlier test left
# behind is resumed: every training path really runs, every time.
NBVAL_DIR := build/nbval
test: setup
	rm -rf $(NBVAL_DIR) && mkdir -p $(NBVAL_DIR) && cp notebooks/[0-9][0-9]_*.ipynb $(NBVAL_DIR)/
	GANLIB_QUICK=1 $(BIN)/python -m pytest --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests $(NBVAL_DIR)

# The whole course, headless: executed notebooks, HTML copies and build/course/index.html.
# Extra notebook parameters: make course P="-p EPOCHS 3".
course: setup
	$(BIN)/ganlib course --out build/course $(P)

# Re-execute the committed notebooks in place (the only way their outputs are made).
notebooks: setup
	$(BIN)/ganlib notebooks

# The classifier the metrics look through; its weights ship in ganlib/weights/.
classifier: setup
	$(BIN)/ganlib train-classifier

# The pretrained default generator that ships in ganlib/weights/, and its metrics.
PRETRAINED_EPOCHS ?= 30
pretrained: setup
	$(BIN)/ganlib train --out build/pretrained --preset default --epochs $(PRETRAINED_EPOCHS) --seed 0
	cp build/pretrained/generator.keras ganlib/weights/generator_default.keras
	$(BIN)/ganlib evaluate --generator ganlib/weights/generator_default.keras --n 10000 \
		| tee build/pretrained/metrics.txt

# Speed and quality against the TensorFlow tutorial (about 15 minutes); appends bench/RESULTS.md.
bench: setup
	$(BIN)/python bench/time_to_quality.py --mode throughput
	$(BIN)/python bench/time_to_quality.py --mode quality --seconds 300

clean:
	rm -rf build
