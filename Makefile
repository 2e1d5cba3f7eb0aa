# The two commands: `make run` (set up and serve the embedded default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app eventsys
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup system-packages translations extract-messages update-translations browser lint bench clean

KEYS := SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key)}" PASSPORT_KEYS="$${PASSPORT_KEYS:-$$(cat instance/passport_key)}"
run: setup instance/secret_key instance/passport_key
	$(KEYS) $(FLASK) db upgrade
	$(KEYS) $(FLASK) seed-demo
	@echo "eventsys is starting on http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/openapi.json)"
	BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}" $(KEYS) $(FLASK) run --host $(HOST) --port $(PORT)

# The suite runs on both cores of a CI machine (pytest-xdist, each worker with its own databases
# and Redis database; work stealing so the long server tests do not queue behind each other).
TEST_WORKERS ?= 2
test: setup browser
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

# The browser test drives Debian's Chromium with Playwright (a test tool's own browser download
# does not work offline). Installed when missing and we may; otherwise the test skips, and fails in CI.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; }; } || \
	  echo "Chromium is not installed (apt-get install chromium): the browser test will be skipped."

setup: system-packages $(VENV)/.installed node_modules/.installed translations

# Browser libraries (the desk's QR reader) from the npm registry, as package-lock.json pins them;
# Node.js and npm come from Debian's packages when missing and we may.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null; }; }; } || \
	  { echo "npm is not installed (apt-get install nodejs npm): the desk cannot read QR codes with a camera."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# What PDFs (visa letters, tickets, the exchange report) need from Debian: Pango for WeasyPrint,
# HarfBuzz's subsetter (fonts cut to the glyphs used in hundredths of a second, the same bytes each
# time: a ticket made again for a retried email is the same file), and fonts for Chinese, Japanese,
# Korean and Cyrillic names. Installed when missing and we may (root with apt-get); never downloaded
# from anywhere else.
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; }; \
	  else echo "Missing Debian packages (PDFs need them): apt-get install $$missing"; fi; \
	fi

# Re-install whenever either requirements file changes. A checkout gets the test tools too;
# the Docker image installs requirements.txt alone.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The key that encrypts passport details (visa letters), apart from SECRET_KEY; made once per checkout.
instance/passport_key: $(VENV)/.installed
	mkdir -p instance
	$(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' > $@
	chmod 600 $@

# A key made once per checkout, so sessions survive restarts of `make run`.
instance/secret_key:
	mkdir -p instance
	$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

# Catalogues are compiled here, never committed as binaries (.mo files are git-ignored).
TRANSLATIONS := eventsys/translations
translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d $(TRANSLATIONS) 2>&1 | grep -v '^compiling' || true

# After marking strings: refresh the template and merge it into every language's catalogue.
EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _lp:1c,2 -k lazy_pgettext:1c,2 \
	--add-comments=Translators: --sort-output --no-location --project=eventsys
extract-messages: $(VENV)/.installed
	$(EXTRACT) -o $(TRANSLATIONS)/messages.pot .
update-translations: extract-messages
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

lint: setup
	$(BIN)/ruff check .

# The benchmarks drive the servers with wrk, from Debian's packages (installed when missing and we may).
bench: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; }; }; } || \
	  { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/registration.py

clean:
	rm -rf $(VENV) node_modules instance/eventsys.db* instance/mail .pytest_cache test-artifacts
