# Browser libraries (the desk's QR reader) from the npm registry, as package-lock.json pins them.
FROM node:20-bookworm-slim AS browser-libraries
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# The one eventsys image: web (gunicorn), worker, beat and the one-shot migrate all run it.
# Built once by `docker compose up` (or `docker build -t eventsys .`); nothing is installed at start,
# so containers start without the network and all run the very same code and libraries.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/eventsys

# PDFs (visa letters, tickets, the exchange report): Pango for WeasyPrint, HarfBuzz's font subsetter
# (fast, and the same bytes each time), fonts for CJK and Cyrillic names.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Runtime dependencies only (test, benchmark and lint tools are in requirements-dev.txt), in a
# layer of their own: a code change rebuilds in seconds, a requirements change reinstalls.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY eventsys/ eventsys/
COPY templates/ templates/
COPY migrations/ migrations/
COPY worker.py .
COPY --from=browser-libraries /build/node_modules/ node_modules/

# Translations: the Chinese and Russian catalogues (eventsys/translations/<locale>/LC_MESSAGES/
# messages.po, copied in with the package) ship compiled, as `make setup` compiles them; the .mo
# files are never committed.
RUN pybabel compile -d eventsys/translations

# Not root: the code stays read-only to the app; only instance/ (generated files, .eml mail in
# the embedded mode) is its own.
RUN useradd --system --uid 10001 --no-create-home --home-dir /srv/eventsys eventsys \
    && mkdir -p instance && chown eventsys:eventsys instance
USER eventsys

EXPOSE 8000
# web's command; worker, beat and migrate override it in docker-compose.yml. The README's settings.
CMD ["gunicorn", "-w", "4", "-k", "gthread", "--threads", "8", "-b", "0.0.0.0:8000", "eventsys:create_app()"]
