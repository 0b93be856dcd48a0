# CrisisDesk: slim, non-root. Migrations are a separate release step: `crisisdesk migrate`.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app

COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir . && pip uninstall -y crisisdesk

COPY . .
RUN pip install --no-cache-dir --no-deps -e . && mkdir -p /app/var/files && chown -R app:app /app/var

USER 10001:10001
EXPOSE 8000
# Exit status 1 (an exception) unless /healthz answers 2xx.
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"]
CMD ["crisisdesk", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
