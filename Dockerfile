# syntax=docker/dockerfile:1
# Production image of Alizé: one image for the web server, the Celery worker and beat.
#   docker build -t alize .
# Stages: front-end assets (npm, locked), Python dependencies (uv, locked), runtime.

# --- 1. Front-end assets served by the app itself (no CDN), administrative referential ---
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# devDependencies (axe-core) only serve the browser tests.
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- 2. Python dependencies from uv.lock, without the dev group ---------------------------
FROM python:3.11-slim-bookworm AS python-deps
# Same uv as the Makefile; it comes from PyPI like every other Python package.
ARG UV_VERSION=0.13.9
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
RUN pip install "uv==${UV_VERSION}"
WORKDIR /build
COPY pyproject.toml uv.lock ./
# --frozen: install exactly what uv.lock says, and fail rather than re-resolve.
RUN uv sync --frozen --no-dev --no-install-project

# --- 3. Runtime ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime

# Libraries WeasyPrint loads at run time (text layout, font subsetting, images) and fonts
# for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        libjpeg62-turbo \
        libopenjp2-7 \
        shared-mime-info \
        fonts-liberation2 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid/gid so that volume ownership stays the same from one image to the next.
RUN groupadd --system --gid 10001 alize \
    && useradd --system --uid 10001 --gid alize --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin alize

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=alize.settings \
    ALIZE_VAR_DIR=/app/var

WORKDIR /app
COPY --from=python-deps /opt/venv /opt/venv
# The app reads node_modules at run time too (STATICFILES_DIRS, the administrative
# referential data), so the tree is copied whole, not only the collected files.
COPY --from=assets /build/node_modules ./node_modules
COPY . .

# Static files are collected and compressed once, at build time, into the image:
# var/staticfiles belongs to root and is only read at run time. The secret and host below
# are build-only placeholders (collectstatic signs nothing and serves nothing), and the
# database URL stops the settings from starting an embedded PostgreSQL; no connection is
# made. None of them ends up in the image's environment.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-placeholder-not-used-at-run-time \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid:5432/build \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media var/beat \
    && chown alize:alize var/media var/beat

# Writable state lives in volumes mounted on var/media (documents and generated files) and
# var/beat (Celery beat's schedule); see docker-compose.yml. A volume on the whole var/ would
# hide the static files of a newer image behind the copy made at its first start.

USER alize:alize
EXPOSE 8000

# gunicorn reads WEB_CONCURRENCY for its number of workers. Worker heartbeat files go to
# memory rather than to the container's overlay file system.
CMD ["gunicorn", "alize.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-", "--timeout", "60"]
