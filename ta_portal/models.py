"""Kinds of field and choice that the apps' models share, each declared once.

``ta_portal`` is not an app: nothing here makes a table. Each factory returns an ordinary Django
field, built exactly as the declarations it stands for (same options, same deconstruction), so the
migrations do not depend on whether a model spells a field out or calls these. The date-order
check constraint lives beside its rule, in ``ta_portal.validation``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingModality(models.TextChoices):
    """How people take part in a meeting or a training session."""

    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


def acting_user_field(verbose_name=None, *, related_name="+", blank=True, **options) -> models.ForeignKey:
    """The user who did something to the row: created, revoked, reviewed, uploaded it…

    The row outlives the account: deleting the user empties the reference, not the row.
    ``related_name=None`` keeps Django's default reverse accessor (``<model>_set``).
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=blank,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def optional_link(to, *, on_delete, related_name, verbose_name=None, **options) -> models.ForeignKey:
    """A reference to another row that may be empty: null in the database, optional in forms."""
    return models.ForeignKey(
        to,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


def created_at_field(verbose_name=None) -> models.DateTimeField:
    """When the row was created ("created at" unless the model names it otherwise); never edited."""
    return models.DateTimeField(verbose_name or _("created at"), auto_now_add=True)


def updated_at_field() -> models.DateTimeField:
    """When the row was last saved."""
    return models.DateTimeField(_("updated at"), auto_now=True)
