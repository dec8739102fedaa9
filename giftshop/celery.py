"""The one Celery app. Tasks live in each app's tasks.py, take ids and call services."""

import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giftshop.settings.local")

app = Celery("giftshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_folders(sender, **kwargs):
    """The filesystem broker (embedded mode) needs its folders before the first publish or poll, and
    the beat the folder of its schedule file (a fresh clone with media on S3 has no var/ yet)."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    if sender.conf.beat_schedule_filename:
        Path(sender.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)


@signals.setup_logging.connect
def _use_django_logging(**kwargs):
    """The worker and beat log like the web (settings.LOGGING: JSON, card tokens masked) instead of
    Celery's own root handler, which would print whatever a task logs unmasked."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
