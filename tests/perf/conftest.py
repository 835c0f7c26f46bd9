"""Scale data for the query-count tests: the benchmark's own generator, at two small sizes."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction

# Two sizes of the same programme: the larger one has five times the sessions, results, measures
# and status updates, and more engagements, so a query that depends on the data shows up.
SMALL = {"factor": 0.002, "min_engagements": 8}
LARGE = {"factor": 0.01, "min_engagements": 40}


# The last day of the generated history. A fixed day, not today: the generator spreads dates over the ten
# years before it, and how many sessions, enrolments and reports fall inside depends on that day.
HISTORY_ENDS_ON = date(2026, 11, 20)


class DiscardError(Exception):
    """Raised to roll the generated data back (to a savepoint) once measured."""


def generate(**options) -> str:
    out = io.StringIO()
    options.setdefault("today", HISTORY_ENDS_ON)
    call_command("generate_scale_data", stdout=out, seed=5, **options)
    return out.getvalue()


@pytest.fixture
def at_both_sizes(db):
    """Run ``measure()`` on the small data, then on the large data; returns both results."""

    def run(measure):
        found = []
        for size in (SMALL, LARGE):
            try:
                with transaction.atomic():
                    generate(**size)
                    found.append(measure())
                    raise DiscardError
            except DiscardError:
                pass
        return found

    return run
