"""Money: what a programme or an engagement budgeted for a period, and what it committed, disbursed
and spent.

Amounts are decimals (never floats) in the currency they were recorded in. There is no conversion:
figures are per currency (see outcomes/money.py), because exchange rates are a choice each donor
makes differently and a rate typed in once would be a second truth.

Who sees it (the rule is ``MoneyQuerySet``): managers and administrators of the rows' countries
see and change budgets and transactions; viewers (donors, analysts) see the totals on the
programme dashboard and in the annual report, never the rows; trainers and counterparts see none.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGING_ROLES
from accounts.roles import Role
from accounts.scoping import Scope
from accounts.scoping import manages_somewhere
from accounts.scoping import scope_for
from assessments.models import Assessment
from assessments.models import Roundtable
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import Programme
from engagements.selectors import programmes_reached
from network.models import NetworkEvent
from ta_portal.models import created_at_field
from ta_portal.models import optional_link
from ta_portal.models import updated_at_field
from ta_portal.validation import date_order_constraint
from trainings.models import TrainingSession

from .currencies import validate_currency

# Rows (pages, API, exports): managers and administrators. Totals: viewers too (README, "Money").
MONEY_ROW_ROLES = MANAGING_ROLES
MONEY_TOTAL_ROLES = (*MANAGING_ROLES, Role.VIEWER)

AMOUNT_DIGITS = 14
SMALLEST_AMOUNT = Decimal("0.01")


def money_q(scope: Scope) -> Q:
    """Rows of an engagement in the scope's countries, and programme-wide rows of the programmes
    with an engagement there (every row for a global scope)."""
    if scope.everywhere:
        return Q()
    if scope.empty:
        return Q(pk__in=[])
    return scope.q("engagement__country") | Q(engagement__isnull=True, programme__in=programmes_reached(scope))


class MoneyQuerySet(models.QuerySet):
    def in_scope(self, scope: Scope):
        return self.filter(money_q(scope))

    def visible_to(self, user):
        return self.in_scope(scope_for(user, MONEY_ROW_ROLES))

    def editable_by(self, user):
        """Engagement rows of the countries the user manages; programme-wide rows only for those who
        manage every country (a programme spans countries no single country's manager answers for)."""
        scope = scope_for(user, MONEY_ROW_ROLES)
        if scope.everywhere:
            return self.all()
        return self.filter(scope.q("engagement__country"))

    def creatable_by(self, user, country=None) -> bool:
        """Whether the user may add rows: of an engagement in ``country`` when given, else somewhere."""
        scope = scope_for(user, MONEY_ROW_ROLES)
        return not scope.empty if country is None else scope.allows(getattr(country, "pk", country))

    def readable_by(self, user) -> bool:
        return manages_somewhere(user)


def may_write_money(user, *, engagement) -> bool:
    """Whether the user may record money of ``engagement`` (None: the whole programme)."""
    scope = scope_for(user, MONEY_ROW_ROLES)
    return scope.everywhere if engagement is None else scope.allows(engagement.country_id)


def amount_field() -> models.DecimalField:
    return models.DecimalField(
        _("amount"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        validators=[MinValueValidator(SMALLEST_AMOUNT, message=_("The amount must be greater than zero."))],
    )


def currency_field() -> models.CharField:
    return models.CharField(
        _("currency"), max_length=3, validators=[validate_currency], help_text=_("ISO 4217 code, e.g. USD or EUR.")
    )


class MoneyRow(models.Model):
    """What budgets and transactions share: whose money it is, how much and in which currency."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    engagement = optional_link(
        Engagement,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("engagement"),
        help_text=_("Empty for the whole programme."),
    )
    amount = amount_field()
    currency = currency_field()
    created_at = created_at_field()
    updated_at = updated_at_field()

    objects = MoneyQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        errors = {}
        if self.currency:
            self.currency = self.currency.strip().upper()
        if self.engagement_id and self.programme_id and self.engagement.programme_id != self.programme_id:
            errors["engagement"] = _("The engagement belongs to another programme.")
        errors.update(self.own_errors())
        if errors:
            raise ValidationError(errors)

    def own_errors(self) -> dict:
        return {}


class Budget(MoneyRow):
    class Status(models.TextChoices):
        INDICATIVE = "indicative", _("Indicative")
        COMMITTED = "committed", _("Committed")

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.COMMITTED)

    class Meta:
        ordering = ["programme_id", "period_start", "engagement_id", "pk"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            date_order_constraint("budget_period_order", start="period_start", end="period_end"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.period_start}–{self.period_end} {self.amount} {self.currency}"

    def own_errors(self) -> dict:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            return {"period_end": _("The period must not end before it starts.")}
        return {}


class Transaction(MoneyRow):
    """A commitment, disbursement or expenditure, optionally for an activity and a participant."""

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Commitment")
        DISBURSEMENT = "disbursement", _("Disbursement")
        EXPENDITURE = "expenditure", _("Expenditure")

    # What counts as spent against a budget: money that left (to a partner, or paid directly).
    SPENDING = (Kind.DISBURSEMENT, Kind.EXPENDITURE)
    ACTIVITY_LINKS = ("session", "network_event", "roundtable", "assessment")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    session = optional_link(
        TrainingSession, on_delete=models.PROTECT, related_name="+", verbose_name=_("training session")
    )
    network_event = optional_link(
        NetworkEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("network event")
    )
    roundtable = optional_link(Roundtable, on_delete=models.PROTECT, related_name="+", verbose_name=_("roundtable"))
    assessment = optional_link(Assessment, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessment"))
    participant = optional_link(
        Person,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sponsored participant"),
        help_text=_("For travel paid for a named participant of the session or event."),
    )

    class Meta:
        ordering = ["programme_id", "-date", "-pk"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="transaction_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date} {self.amount} {self.currency}"

    def own_errors(self) -> dict:
        errors = {}
        linked = [name for name in self.ACTIVITY_LINKS if getattr(self, f"{name}_id")]
        if len(linked) > 1:
            errors[linked[1]] = _("A transaction pays for one activity at most.")
        if self.participant_id and not (self.session_id or self.network_event_id):
            errors["participant"] = _("A sponsored participant travels to a training session or a network event.")
        if self.engagement_id:
            for name in ("roundtable", "assessment", "session"):
                activity = getattr(self, name) if getattr(self, f"{name}_id") else None
                if activity is not None and activity.engagement_id not in (None, self.engagement_id):
                    errors[name] = _("It belongs to another engagement.")
        return errors


class IatiPublication(models.Model):
    """Whether a programme publishes its IATI activity file at a public address (README, "IATI")."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="iati_publication", verbose_name=_("programme")
    )
    public = models.BooleanField(
        _("publish the IATI file publicly"),
        default=False,
        help_text=_("Anyone may then download the programme's IATI activity file without signing in."),
    )
    updated_at = updated_at_field()

    class Meta:
        verbose_name = _("IATI publication")
        verbose_name_plural = _("IATI publications")

    def __str__(self) -> str:
        return str(self.programme)
