"""Imported by the worker processes the reliability tests start (``celery worker -I``) and by the
tests themselves: report kinds whose rendering takes long enough to kill a worker in the middle."""

import os
import time

from engagements.models import Engagement
from reports import registry
from reports.registry import RenderSpec
from reports.registry import ReportKind


def _slow(engagement, language):
    time.sleep(float(os.environ.get("TEST_RENDER_SECONDS", "0")))
    return RenderSpec(template="reports/base_print.html", context={}, filename=f"slow-{engagement.pk}.pdf")


def _quick(engagement, language):
    return RenderSpec(template="reports/base_print.html", context={}, filename=f"quick-{engagement.pk}.pdf")


registry.register(ReportKind("test-slow", build=_slow, visible_owners=Engagement.objects.visible_to))
registry.register(ReportKind("test-quick", build=_quick, visible_owners=Engagement.objects.visible_to))
