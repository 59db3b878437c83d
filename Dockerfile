# The production image: gunicorn, the Celery worker and Celery beat all run
# from it, with settings from the environment (see .env.example).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# weasyprint renders invoice PDFs with Pango.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# collectstatic imports the production settings, which require these
# variables; the values exist only for this build step.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db \
    EMAIL_URL=consolemail:// CELERY_BROKER_URL=memory:// \
    STRIPE_SECRET_KEY=build STRIPE_PUBLISHABLE_KEY=build STRIPE_WEBHOOK_SECRET=build \
    python manage.py collectstatic --no-input

RUN useradd --create-home --uid 1000 ledgerfront \
    && mkdir -p /app/media \
    && chown ledgerfront /app/media
USER ledgerfront

EXPOSE 8000
# A CSV import preview runs in the request; 120 s covers the row limit's
# worst case measured in docs/back-office.md.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "120", "--access-logfile", "-"]
