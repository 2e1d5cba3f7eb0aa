# The two commands: `make run` (set up and serve the embedded default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app eventsys
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup lint bench clean

run: setup instance/secret_key
	SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key)}" $(FLASK) db upgrade
	SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key)}" $(FLASK) seed-demo
	@echo "eventsys is starting on http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/openapi.json)"
	BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}" SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key)}" $(FLASK) run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: $(VENV)/.installed

# Re-install whenever requirements.txt changes.
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# A key made once per checkout, so sessions survive restarts of `make run`.
instance/secret_key:
	mkdir -p instance
	$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/registration.py

clean:
	rm -rf $(VENV) instance/eventsys.db* instance/mail .pytest_cache
