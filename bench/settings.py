"""The portal's own settings (production when DEBUG is off), plus the two bench-only views.

The bench serves the portal with ``DJANGO_SETTINGS_MODULE=bench.settings``: nothing changes but the
URLconf, which adds ``bench/baseline/`` and ``bench/naive-engagements/`` (see ``views.py``), and
static files, collected into a temporary directory with their hashed names but not compressed.
The portal's own settings never route to these views.
"""

import os

from ta_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
    if not DEBUG:  # noqa: F405
        # The same hashed names as production, without whitenoise's compressed copies: the pages
        # measured fetch no static files, and compressing them all takes minutes on two cores.
        STORAGES = {  # noqa: F405
            **STORAGES,  # noqa: F405
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
        }
