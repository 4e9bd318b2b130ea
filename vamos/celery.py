import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vamos.settings.dev")

app = Celery("vamos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
