# The two commands of the README: `make run` and `make test`.
# Both create the virtual environment on first use (Python 3.12, see .python-version).

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Two test processes: the suite is mostly waiting on renders, servers and a browser.
PYTEST_ARGS ?= -n 2

.PHONY: run test test-postgres lint bench browser

run: $(STAMP)
	$(PY) manage.py runstudio $(ADDR)

test: $(STAMP) browser
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

$(STAMP): pyproject.toml
	@sh .ci/python-env $(VENV)
	@touch $(STAMP)

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || sh .ci/install-chromium
