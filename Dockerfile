# Production-like image: the service only (PostgreSQL runs beside it, see docker-compose.yml).
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY service ./service
RUN pip install --quiet .
COPY alembic.ini ./
COPY migrations ./migrations

RUN useradd --system --uid 10001 realign
USER realign

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"

# Migrations and the idempotent catalogue seed run on every start, then the server.
CMD ["sh", "-c", "python -m service migrate && python -m service seed && python -m service serve --host 0.0.0.0 --port 8000"]
