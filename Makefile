# The two commands of the README: `make run` and `make test`.
# Both create the virtual environment on first use (Python 3.12, see .python-version):
# `make run` installs what the studio needs to run, `make test` adds the test and lint tools.

VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
# Two test processes: the suite is mostly waiting on renders, servers and a browser.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint browser

run: $(RUN_STAMP)
	$(PY) manage.py runstudio $(ADDR)

test: $(TEST_STAMP) browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

$(RUN_STAMP): pyproject.toml
	@sh .ci/python-env $(VENV) run
	@touch $(RUN_STAMP)

# The test tools come with everything the studio runs on.
$(TEST_STAMP): pyproject.toml
	@sh .ci/python-env $(VENV) test
	@touch $(TEST_STAMP) $(RUN_STAMP)

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || sh .ci/install-chromium
