# Ledgerfront developer commands.
#
#   make demo   set up, load the demo shop and serve it at http://127.0.0.1:8000
#   make test   set up and run the whole test suite
#   make check  run everything CI runs (.ci/run)
#
# Both set up the same virtual environment in .venv and reinstall the
# project only when pyproject.toml changed since the last install.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
DEMO_PORT := 8000
STRIPE_PORT := 8420
PYTEST_ARGS ?=

.PHONY: help demo test check pango system-packages chromium clean-venv

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || {
	  echo "$(PYTHON) is missing. Install it with:"
	  echo "  sudo apt-get install -y python3.11 python3.11-venv"
	  exit 1
	}
	$(PYTHON) -m venv $(VENV) || {
	  rm -rf $(VENV)
	  echo "Creating the virtual environment failed. Install venv support with:"
	  echo "  sudo apt-get install -y python3.11-venv"
	  exit 1
	}

# The stamp records that the install matches pyproject.toml.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# weasyprint renders invoice PDFs and needs Pango from the system.
pango: $(INSTALLED)
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || {
	  echo "weasyprint cannot load Pango. Install it with:"
	  echo "  sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0"
	  exit 1
	}

# Tests read barcodes back from label PDFs with pdftoppm and zbarimg; the
# shop itself does not need them.
system-packages: pango
	command -v zbarimg >/dev/null && command -v pdftoppm >/dev/null && exit 0
	if [ "$$(id -u)" -ne 0 ]; then
	  echo "Barcode tests need zbarimg and pdftoppm. Install them with:"
	  echo "  sudo apt-get install -y zbar-tools poppler-utils"
	  exit 1
	fi
	apt-get install -y zbar-tools poppler-utils \
	  || { apt-get update && apt-get install -y zbar-tools poppler-utils; }

# Browser tests drive Debian's chromium through Playwright.
chromium:
	@[ -x $(CHROMIUM) ] && exit 0
	if [ "$$(id -u)" -ne 0 ]; then
	  echo "Browser tests need chromium at $(CHROMIUM). Install it with:"
	  echo "  sudo apt-get install -y chromium"
	  exit 1
	fi
	apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }

# The shop and localstripe find each other through these two settings.
demo: export STRIPE_API_BASE = http://127.0.0.1:$(STRIPE_PORT)
demo: export SHOP_BASE_URL = http://127.0.0.1:$(DEMO_PORT)
# Lets a webhook receiver you run on this machine get the demo's events.
demo: export WEBHOOK_ALLOW_LOOPBACK = true
demo: pango
	@for port in $(DEMO_PORT) $(STRIPE_PORT); do
	  if (exec 3<>/dev/tcp/127.0.0.1/$$port) 2>/dev/null; then
	    echo "Port $$port on 127.0.0.1 is in use; stop what listens there first."
	    exit 1
	  fi
	done
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py run_localstripe --port $(STRIPE_PORT) &
	stripe_pid=$$!
	trap 'kill $$stripe_pid 2>/dev/null || true' EXIT
	for attempt in $$(seq 50); do
	  (exec 3<>/dev/tcp/127.0.0.1/$(STRIPE_PORT)) 2>/dev/null && break
	  kill -0 $$stripe_pid 2>/dev/null || { echo "localstripe failed to start."; exit 1; }
	  sleep 0.2
	done
	echo "Offline test payments: localstripe on http://127.0.0.1:$(STRIPE_PORT)"
	echo "Shop: http://127.0.0.1:$(DEMO_PORT)  Back office: /admin/  Stop: Ctrl-C"
	$(BIN)/python manage.py runserver 127.0.0.1:$(DEMO_PORT)

# Runs on PostgreSQL and Redis when DATABASE_URL and CELERY_BROKER_URL name
# them, on SQLite otherwise; the summary lists every test skipped for a
# missing service.
test: system-packages chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check:
	bash .ci/run

clean-venv:
	rm -rf $(VENV)
