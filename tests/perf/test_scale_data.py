"""``generate_scale_data``: data in the proportions asked for, consistent as the portal's own services
would leave it, the audit triggers back on, and never on top of real data."""

import pytest
from django.core.management import CommandError
from django.db.models import Exists
from django.db.models import OuterRef

from accounts.models import User
from audit.models import AuditEntry
from audit.registry import audited_models
from audit.triggers import tables_with_trigger
from bench.scale_data import update_from_values
from engagements.models import Engagement
from followups.models import REPORTED_STATES
from followups.models import FollowupRound
from followups.models import Measure
from followups.models import RoundMeasure
from followups.models import StatusUpdate
from followups.models import UpdateState
from tests.factories import UserFactory
from tests.perf.conftest import generate
from trainings.models import Enrolment
from trainings.models import TrainingSession

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


def test_the_data_comes_in_the_proportions_of_the_factor(postgres):
    generate(factor=0.01, min_engagements=12)

    assert Engagement.objects.count() == 12  # 3.5 at this factor, raised to the minimum
    assert TrainingSession.objects.count() == 35
    assert Enrolment.objects.count() == 1000
    assert 180 <= Measure.objects.count() <= 220  # 200 wanted, drawn per engagement
    assert 850 <= StatusUpdate.objects.count() <= 1150  # 1 000 wanted, from each measure's drawn lifetime
    assert Enrolment.objects.filter(pre_score__isnull=False, post_score__isnull=False).count() > 800


def test_measures_and_rounds_are_as_the_services_would_leave_them(postgres):
    generate(factor=0.01, min_engagements=12)

    # every measure's status is its latest report, its verified status its latest accepted one
    for measure in Measure.objects.all()[:60]:
        updates = measure.updates.order_by("-submitted_at", "-pk")
        reported = updates.filter(state__in=[UpdateState.SUBMITTED, UpdateState.ACCEPTED]).first()
        verified = updates.filter(state=UpdateState.ACCEPTED).first()
        assert measure.status == (reported.status if reported else "not_started")
        assert measure.verified_status == (verified.status if verified else "")
        assert measure.latest_update_id == getattr(updates.filter(state__in=REPORTED_STATES).first(), "pk", None)
    # a round counts as submitted only when every measure it asks about has a report in it
    unreported = RoundMeasure.objects.filter(round=OuterRef("pk")).filter(
        ~Exists(
            StatusUpdate.objects.filter(round=OuterRef("round"), measure=OuterRef("measure"), state__in=REPORTED_STATES)
        )
    )
    assert not FollowupRound.objects.filter(submitted_at__isnull=False).filter(Exists(unreported)).exists()
    # one draft per measure and round, one report waiting for verification per measure (the constraints held)
    assert StatusUpdate.objects.filter(state=UpdateState.SUBMITTED).count() <= Measure.objects.count()


def test_the_load_leaves_no_audit_entries_and_the_triggers_on(postgres):
    covered = {model._meta.db_table for model in audited_models()}
    entries = AuditEntry.objects.count()

    generate(factor=0.002, min_engagements=3)

    assert AuditEntry.objects.count() == entries
    assert covered <= tables_with_trigger()


def test_with_the_audit_trail_every_generated_row_has_its_entry(postgres):
    generate(factor=0.002, min_engagements=3, with_audit_trail=True)

    entries = AuditEntry.objects.filter(context__startswith="generate_scale_data", action="insert")
    assert entries.filter(model="trainings.enrolment").count() == Enrolment.objects.count()
    assert entries.filter(model="followups.statusupdate").count() == StatusUpdate.objects.count()


def test_generated_users_sign_in(client, postgres):
    generate(factor=0.002, min_engagements=3)

    assert client.login(username="scale_manager", password="scale-data-password")


def test_a_database_with_engagements_is_refused(world):
    with pytest.raises(CommandError, match="already holds engagements"):
        generate(factor=0.01)

    assert Engagement.objects.count() == 2


def test_update_from_values_sets_each_row_its_own_values_chunk_by_chunk():
    users = UserFactory.create_batch(5)
    untouched = users.pop()

    update_from_values(
        User,
        {"first_name": "", "last_login": "timestamptz"},
        [(user.pk, f"Name {i}", None) for i, user in enumerate(users)],
        chunk=2,
    )

    for i, user in enumerate(users):
        user.refresh_from_db()
        assert (user.first_name, user.last_login) == (f"Name {i}", None)
    assert User.objects.get(pk=untouched.pk).first_name == untouched.first_name
