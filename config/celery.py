"""The Celery app. Tasks live beside the code they serve (``<app>/tasks.py``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("editorial")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
