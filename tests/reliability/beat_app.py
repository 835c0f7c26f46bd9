"""The portal's Celery app with a fast test schedule, for ``celery -A tests.reliability.beat_app beat``:
the beats under test send ``reliability.tick`` to a queue of its own every half second."""

from datetime import timedelta

from ta_portal.celery import app

app.conf.beat_schedule = {
    "tick": {"task": "reliability.tick", "schedule": timedelta(seconds=0.5), "options": {"queue": "beat-test"}}
}
