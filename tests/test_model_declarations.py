"""The shared field and constraint kinds (``ta_portal.models``) build what the models declared before,
so the database schema and the migrations stay as they are."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.db.models import F
from django.db.models import Q

from network.models import NetworkEvent
from ta_portal.models import MeetingModality
from ta_portal.models import acting_user_field
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field
from ta_portal.validation import date_order_constraint
from trainings.models import TrainingSession


@pytest.mark.django_db
def test_the_models_match_their_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    assert "No changes detected" in out.getvalue()


def test_the_date_order_constraint_with_an_optional_end():
    constraint = date_order_constraint("engagement_end_after_start", optional=("end_date",))
    assert constraint == models.CheckConstraint(
        condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="engagement_end_after_start"
    )


def test_the_date_order_constraint_with_required_dates():
    constraint = date_order_constraint("round_due_after_opening", start="opens_on", end="due_date")
    assert constraint == models.CheckConstraint(
        condition=Q(due_date__gte=F("opens_on")), name="round_due_after_opening"
    )


def test_a_strict_date_order_constraint_keeps_the_order_of_its_optional_fields():
    constraint = date_order_constraint(
        "roundtable_ends_after_start",
        start="start_time",
        end="end_time",
        optional=("end_time", "start_time"),
        strict=True,
    )
    assert constraint == models.CheckConstraint(
        condition=Q(end_time__isnull=True) | Q(start_time__isnull=True) | Q(end_time__gt=F("start_time")),
        name="roundtable_ends_after_start",
    )


def _options(field: models.Field) -> dict:
    field.set_attributes_from_name("subject")
    return field.deconstruct()[3]


def test_the_acting_user_survives_the_deletion_of_the_user():
    assert _options(acting_user_field("revoked by")) == {
        "to": settings.AUTH_USER_MODEL.lower(),
        "on_delete": models.SET_NULL,
        "null": True,
        "blank": True,
        "related_name": "+",
        "verbose_name": "revoked by",
    }
    # Without a related name, Django's default reverse accessor; without ``blank``, required in forms.
    assert _options(acting_user_field(related_name=None, blank=False)) == {
        "to": settings.AUTH_USER_MODEL.lower(),
        "on_delete": models.SET_NULL,
        "null": True,
    }


def test_an_optional_link_may_be_empty_and_keeps_its_other_options():
    field = optional_link(
        "engagements.Country", on_delete=models.PROTECT, related_name="+", verbose_name="country", help_text="Empty."
    )
    assert _options(field) == {
        "to": "engagements.country",
        "on_delete": models.PROTECT,
        "null": True,
        "blank": True,
        "related_name": "+",
        "verbose_name": "country",
        "help_text": "Empty.",
    }


def test_the_timestamps():
    assert _options(created_at_field()) == {"auto_now_add": True, "verbose_name": "created at"}
    assert _options(created_at_field("requested at")) == {"auto_now_add": True, "verbose_name": "requested at"}
    assert _options(updated_at_field()) == {"auto_now": True, "verbose_name": "updated at"}


def test_sessions_and_network_events_share_their_modalities():
    assert TrainingSession.Modality is NetworkEvent.Modality is MeetingModality
    assert MeetingModality.values == ["in_person", "virtual", "hybrid"]
