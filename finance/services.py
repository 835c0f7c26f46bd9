"""Writes of money: each one function under a transaction, judged by the model's rules.

The rules (positive amounts, known currencies, periods in order, links that fit) live on the models
(``clean()``, field validators, check constraints); forms and the API show their messages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Budget
from .models import IatiPublication
from .models import Transaction
from .models import may_write_money


def _save(row, *, by, fields: dict):
    for name, value in fields.items():
        setattr(row, name, value)
    if not may_write_money(by, engagement=row.engagement if row.engagement_id else None):
        # Only those who manage every country answer for a programme-wide figure.
        message = (
            _("Choose an engagement: only managers of every country record money for the whole programme.")
            if not row.engagement_id
            else _("You do not manage this engagement's country.")
        )
        raise ValidationError({"engagement": message})
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def budget_save(*, by, budget: Budget | None = None, **fields) -> Budget:
    """Create a budget (``budget`` None) or change one; nothing is saved if a rule is broken."""
    return _save(budget or Budget(), by=by, fields=fields)


@transaction.atomic
def transaction_save(*, by, record: Transaction | None = None, **fields) -> Transaction:
    """Create a transaction (``record`` None) or change one; nothing is saved if a rule is broken."""
    return _save(record or Transaction(), by=by, fields=fields)


@transaction.atomic
def iati_publication_set(*, programme, public: bool) -> IatiPublication:
    publication, _created = IatiPublication.objects.update_or_create(programme=programme, defaults={"public": public})
    return publication
