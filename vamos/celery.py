import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vamos.settings.dev")

app = Celery("vamos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every worker's main process relays the outbox's rows to the broker (academy.outbox); named, as the step is
# loaded once Django is set up.
app.steps["worker"].add("academy.outbox:RelayStep")


@app.on_after_finalize.connect
def _make_filesystem_broker_folders(sender, **kwargs):
    """The filesystem transport expects its folders to exist; create them on first use."""
    from pathlib import Path

    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = sender.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
    backend = sender.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@setup_logging.connect
def _log_as_the_web_process_does(**kwargs):
    """Worker and beat log JSON lines on stdout through settings.LOGGING, like the web process."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
