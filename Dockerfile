# ngo-review: the API (`ngo-review serve`), migrations (`ngo-review db upgrade`) and the flows
# worker (`ngo-review worker`) all run from this one image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what the package needs: the build context also holds .venv/, var/ and caches.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY flows/ flows/
COPY api/ api/
COPY models/ models/
COPY notifications/ notifications/
COPY ngo_review/ ngo_review/
COPY config/ config/
RUN pip install . && rm -rf /src

RUN useradd --create-home --home-dir /home/ngo-review --uid 10001 --user-group ngo-review \
    && mkdir -p /app/var \
    && chown ngo-review:ngo-review /app/var

WORKDIR /app
USER ngo-review
ENV NGO_REVIEW_VAR_DIR=/app/var

EXPOSE 8000
CMD ["ngo-review", "serve", "--host", "0.0.0.0", "--port", "8000"]
