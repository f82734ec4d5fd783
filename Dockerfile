# syntax=docker/dockerfile:1
# The dashboard for internal demos: `make serve`'s command, on 0.0.0.0:8501, as a non-root user.
#
#   docker build -t aigrid .
#   docker run --rm -p 8501:8501 aigrid                      # live prices if Yahoo is reachable
#   docker run --rm -p 8501:8501 -e AIGRID_OFFLINE=1 aigrid  # the bundled snapshot only
#
# Several replicas behind nginx: deploy/README.md.
FROM python:3.11-slim-bookworm

# 1 = never call Yahoo Finance (the bundled snapshot only); `-e AIGRID_OFFLINE=...` at run time
# overrides the build-time default.
ARG AIGRID_OFFLINE=0
ARG UV_VERSION=0.13.9

# Debian's Chromium and fonts: kaleido drives this browser for PNG/SVG export (it never
# downloads one). Versions float with Debian's security updates; the base tag pins the release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==${UV_VERSION}"

# The environment comes from uv.lock alone (--frozen: fail rather than re-resolve), without the
# dev group (pytest, playwright, ruff...). Copied first so code changes reuse this layer.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache

# The app itself, owned by root and read-only for the user that runs it.
COPY .streamlit/ .streamlit/
COPY app.py ./
COPY lib/ lib/
COPY pages/ pages/
COPY data/ data/
COPY static/ static/
COPY scripts/serve.py scripts/
COPY scripts/asgi_app.py scripts/

RUN useradd --system --create-home --home-dir /home/aigrid --uid 10001 --user-group aigrid \
    && install -d -o aigrid -g aigrid /var/cache/aigrid

ENV PATH="/opt/venv/bin:${PATH}" \
    AIGRID_OFFLINE=${AIGRID_OFFLINE} \
    AIGRID_CACHE_DIR=/var/cache/aigrid \
    BROWSER_PATH=/usr/bin/chromium \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

USER 10001:10001
EXPOSE 8501

# No curl in the slim image: Python asks the health endpoint (it answers "ok").
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4).read() != b'ok')"]

# `make serve`'s flags (tests/test_deploy.py compares them), listening on every interface.
CMD ["python", "scripts/serve.py", "--server.port", "8501", "--server.headless", "true", \
     "--server.enableXsrfProtection", "true", "--server.maxUploadSize", "1", \
     "--client.showErrorDetails", "none", "--server.address", "0.0.0.0"]
