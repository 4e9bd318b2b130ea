# syntax=docker/dockerfile:1
# The VAMOs portal: one image for web (gunicorn), Celery worker and Celery beat.
# See docs/operations.md. Build: docker build -t vamos-portal .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=vamos.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    PORT=8000 \
    WEB_CONCURRENCY=4

# WeasyPrint's native libraries (Pango, HarfBuzz with subsetting, fontconfig) and a font for PDFs.
# Not pinned to versions: Debian's security updates replace them within bookworm.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user to run as; the code stays owned by root, so the portal cannot change itself.
RUN groupadd --system --gid 10001 vamos \
    && useradd --system --uid 10001 --gid vamos --home-dir /app --no-create-home --shell /usr/sbin/nologin vamos

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the pins change.
COPY requirements/prod.txt requirements/prod.txt
RUN pip install --no-cache-dir --requirement requirements/prod.txt

COPY . .

# Static files are collected (hashed and compressed for whitenoise) into the image. The production
# settings insist on a secret key, hosts and Redis; these dummy values exist only for this one RUN
# and nothing connects anywhere. MEDIA_ROOT is the one place the portal writes (a volume in compose).
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input --verbosity 0 \
    && python -m compileall -q /app \
    && mkdir -p "$MEDIA_ROOT" \
    && chown vamos:vamos "$MEDIA_ROOT"

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

# The web process. The worker and beat run the same image with another command:
#   celery -A vamos worker --loglevel=INFO
#   celery -A vamos beat --loglevel=INFO --schedule /tmp/celerybeat-schedule
# Migrations run once per release, not here: `python manage.py migrate` (the compose stack's migrate service).
CMD ["gunicorn", "--config", "docker/gunicorn.conf.py", "vamos.wsgi:application"]
