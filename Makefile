# Entry points. `make demo` and `make test` install what they need first.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
CONFIG ?= configs/synthetic_k10.py
WORK_DIR ?= work_dirs/synthetic_k10
PYTEST_ARGS ?=

.PHONY: install demo test clean

install:
	bash tools/setup_env.sh

# Train on the built-in synthetic faces, evaluate, write pictures.
demo: install
	$(PYTHON) tools/train.py $(CONFIG) --work-dir $(WORK_DIR)
	$(PYTHON) tools/test.py $(CONFIG) "$$(cat $(WORK_DIR)/last_checkpoint)" \
		--work-dir $(WORK_DIR) --out $(WORK_DIR)/test_metrics.json
	$(PYTHON) tools/summarize_run.py $(WORK_DIR)

test: install
	$(PYTHON) -m pytest tests $(PYTEST_ARGS)

clean:
	rm -rf work_dirs .pytest_cache
