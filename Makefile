# Traveloure — `make run` serves the demo, `make test` runs the suite.
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
APT_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium chromium-driver \
	nginx openssl postgresql-client

.PHONY: run test install system-deps migrate seed serve worker screenshots bench check clean

$(BIN)/.installed: requirements.txt
	[ -x $(BIN)/python ] || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: system-deps $(BIN)/.installed

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The demo's fake OCTO supplier (a Tokyo tour operator's own booking system) runs beside
# the server; OCTO_FAKE_PORT=0 leaves it out.
run: export OCTO_FAKE_PORT ?= 8765
run: seed
	@echo ""
	@echo "  Traveloure is starting on http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password demo-pass-123): traveler, expert, vendor, staff"
	@echo "  Traveler /traveler/  Expert /expert/  Vendor /vendor/  Staff /admin/"
	@echo ""
	$(BIN)/python manage.py run_all --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

screenshots: seed
	$(BIN)/python manage.py screenshots --out screenshots

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles screenshots
