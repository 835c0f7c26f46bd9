"""Imported by the worker processes the reliability tests start (``celery worker -I``) and by the
tests themselves: report kinds whose rendering takes long enough to kill a worker in the middle."""

import datetime as dt
import os
import time

import time_machine

from engagements.models import Engagement
from reports import registry
from reports.registry import RenderSpec
from reports.registry import ReportKind
from tests.clock import NOW
from tests.clock import TRAVELLED


def clock_for_workers() -> dict[str, str]:
    """Under `pytest --clock=…` the tests live on another day than the workers they start; a worker
    on the real date would judge the tests' data by it (a survey opened "today" not open yet). The
    workers are given the tests' present moment, and travel to it when they import this module."""
    return {NOW: repr(time.time())} if os.environ.get(TRAVELLED) else {}


if os.environ.get(NOW):
    time_machine.travel(dt.datetime.fromtimestamp(float(os.environ[NOW]), tz=dt.UTC), tick=True).start()


def _slow(engagement, language):
    time.sleep(float(os.environ.get("TEST_RENDER_SECONDS", "0")))
    return RenderSpec(template="reports/base_print.html", context={}, filename=f"slow-{engagement.pk}.pdf")


def _quick(engagement, language):
    return RenderSpec(template="reports/base_print.html", context={}, filename=f"quick-{engagement.pk}.pdf")


registry.register(ReportKind("test-slow", build=_slow, visible_owners=Engagement.objects.visible_to))
registry.register(ReportKind("test-quick", build=_quick, visible_owners=Engagement.objects.visible_to))
