# ngo-review: the API (`ngo-review serve`), migrations (`ngo-review db upgrade`) and the flows
# worker (`ngo-review worker`) all run from this one image.
# The base is pinned to an exact patch release and Debian version; bump it on purpose, together
# with the lock files (scripts/lock.sh resolves them for Python 3.11).
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (the one-stop forms as PDF) needs Pango and HarfBuzz's subsetter from Debian; the
# fonts are the project's own (api/static/vendor/fonts).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Dependencies first, exactly as locked (versions and hashes), so this layer is reused until the
# lock changes. The lock also pins setuptools, so the project builds without fetching anything.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

# Only what the package needs (.dockerignore keeps .venv/, var/, .env and caches out anyway).
COPY pyproject.toml README.md ./
COPY flows/ flows/
COPY api/ api/
COPY models/ models/
COPY notifications/ notifications/
COPY ngo_review/ ngo_review/
COPY config/ config/
RUN pip install --no-deps --no-build-isolation . && pip check && rm -rf /src

RUN useradd --create-home --home-dir /home/ngo-review --uid 10001 --user-group ngo-review \
    && mkdir -p /app/var \
    && chown ngo-review:ngo-review /app/var

WORKDIR /app
USER ngo-review
ENV NGO_REVIEW_VAR_DIR=/app/var

EXPOSE 8000
CMD ["ngo-review", "serve", "--host", "0.0.0.0", "--port", "8000"]
