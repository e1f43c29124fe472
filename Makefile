# gan-course: `make course` runs the course, `make test` runs the tests. Both set up first.
PYTHON ?= python3.11
# Python 3.10: pyenv's, where there is one (it is not on the PATH there), else the PATH's.
OLDEST_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) python3.10)
# Python 3.12, Colab's, for the installed wheel (test-installed), found the same way.
WHEEL_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.12)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OLDEST_VENV := build/venv-oldest
WHEEL_VENV := build/venv-wheel

# The offline MNIST copy beside the checkout, unless GANLIB_DATA already points somewhere.
SHARED_MNIST := $(abspath ../shared/data/mnist/mnist.npz)
ifeq ($(GANLIB_DATA),)
ifneq ($(wildcard $(SHARED_MNIST)),)
export GANLIB_DATA := $(SHARED_MNIST)
endif
endif
export TF_CPP_MIN_LOG_LEVEL ?= 3
PYTEST_NOTEBOOKS := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Run by test-installed, on the installed wheel's course; not by the other stages.
LATER_STAGE := --ignore=tests/test_browser.py --ignore=tests/test_installed.py

.PHONY: setup system-deps test test-newest test-oldest test-installed course notebooks \
	classifier pretrained bench mutation clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $@

# The browser and data sets the tests use, from Debian's packages; installed only as root, and
# only when missing (elsewhere install them yourself, or see the skip variables in README).
system-deps:
	@if ! command -v chromedriver >/dev/null || [ ! -d /usr/share/datasets/fashion-mnist ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing chromium, chromium-driver and dataset-fashion-mnist"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium chromium-driver dataset-fashion-mnist >/dev/null; \
		else echo "Not root: install chromium, chromium-driver, dataset-fashion-mnist yourself"; fi; \
	fi

# Everything CI runs: the newest versions, the oldest supported ones, and the course as a learner
# installs it (a wheel in a fresh environment, outside the repository, read in a browser).
test: test-newest test-oldest test-installed

# Unit tests, then every notebook under nbval with short training budgets (GANLIB_QUICK=1).
# The notebooks run from fresh copies in an empty folder, so no run folder an earlier test left
# behind is resumed: every training path really runs, every time.
test-newest: setup system-deps
	rm -rf build/nbval && mkdir -p build/nbval && cp notebooks/[0-9][0-9]_*.ipynb build/nbval/
	GANLIB_QUICK=1 $(BIN)/python -m pytest $(PYTEST_NOTEBOOKS) $(LATER_STAGE) tests build/nbval

# The same unit tests and notebooks with the oldest supported Python, TensorFlow and Keras.
test-oldest: system-deps
	@test -x $(OLDEST_VENV)/bin/python || $(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST_VENV)/bin/python -m pip install --quiet -r requirements-oldest.txt
	$(OLDEST_VENV)/bin/python -m pip install --quiet --no-deps -e .
	$(OLDEST_VENV)/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	rm -rf build/nbval-oldest && mkdir -p build/nbval-oldest && \
		cp notebooks/[0-9][0-9]_*.ipynb build/nbval-oldest/
	GANLIB_QUICK=1 $(OLDEST_VENV)/bin/python -m pytest -p no:cacheprovider \
		$(PYTEST_NOTEBOOKS) $(LATER_STAGE) tests build/nbval-oldest

# The wheel a learner installs, in a fresh environment with Colab's Python (3.12) and the newest
# pins: the course runs (short budgets) from a folder outside the repository, and its HTML pages
# are read in headless Chromium.
test-installed: setup system-deps
	rm -rf build/dist $(WHEEL_VENV) && $(BIN)/python -m pip wheel --quiet --no-deps -w build/dist .
	$(WHEEL_PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/python -m pip install --quiet -r requirements.txt
	$(WHEEL_VENV)/bin/python -m pip install --quiet --no-deps build/dist/ganlib-*.whl
	$(WHEEL_VENV)/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	outside=$$(mktemp -d) && cp notebooks/[0-9][0-9]_*.ipynb $$outside/ && \
		(cd $$outside && GANLIB_QUICK=1 $(abspath $(WHEEL_VENV))/bin/ganlib course \
			--out $$outside/course $$outside/[0-9][0-9]_*.ipynb) && \
		GANLIB_COURSE_DIR=$$outside/course GANLIB_INSTALLED=$(abspath $(WHEEL_VENV)) \
			$(BIN)/python -m pytest tests/test_browser.py tests/test_installed.py

# The whole course, headless: executed notebooks, HTML copies and build/course/index.html.
# Extra notebook parameters: make course P="-p EPOCHS 3".
course: setup
	$(BIN)/ganlib course --out build/course $(P)

# Re-execute the committed notebooks in place (the only way their outputs are made); also
# writes notebooks/timings.json, the Overviews' run times and the README's course table.
notebooks: setup
	$(BIN)/ganlib notebooks

# The classifier the metrics look through; its weights ship in ganlib/weights/.
classifier: setup
	$(BIN)/ganlib train-classifier

# The pretrained generators that ship in ganlib/weights/ (weights only), and their metrics
# (`make pretrained-clustered` makes one). The budget is in epochs, so a busy machine changes
# the time it takes, not the result (about 27, 28 and 12 minutes on a quiet 2-core CPU). A run
# this long is worth a longer average of the generator than the preset's 10,000 images: 100,000
# took the dcgan preset's FID after 140 epochs from 2.0 to 1.6 (bench/RESULTS.md, "Pretrained").
PRETRAINED_clustered ?= --epochs 130 --ema 100000
PRETRAINED_dcgan ?= --epochs 140 --ema 100000
PRETRAINED_conditional ?= --epochs 60
pretrained: pretrained-clustered pretrained-dcgan pretrained-conditional

pretrained-%: setup
	$(BIN)/ganlib train --out build/pretrained-$* --preset $* $(PRETRAINED_$*) --seed 0
	$(BIN)/python -c "from ganlib.models.pretrained import export_pretrained; \
		export_pretrained('build/pretrained-$*/generator.keras', '$*')"
	$(BIN)/ganlib evaluate --generator build/pretrained-$*/generator.keras --n 10000 \
		> build/pretrained-$*/metrics.txt
	cat build/pretrained-$*/metrics.txt

# Speed and quality against the TensorFlow tutorial; appends bench/RESULTS.md (about an hour).
bench: setup
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/time_to_quality.py --seconds 300 --seeds 3

# Mutation testing of the modules whose correctness is arithmetic (not part of `make test`).
mutation: setup
	$(BIN)/python tests/mutation.py

clean:
	rm -rf build
