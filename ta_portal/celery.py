"""The Celery application: one per process, configured from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ta_portal.settings")

app = Celery("ta_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
