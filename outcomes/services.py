"""The writes of the outcomes app: asking for an annual progress report, and the results
framework (objectives, indicators, periods and targets, narratives, reported values)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.scoping import Scope
from followups.models import UpdateState
from reports.models import Report
from reports.services import report_request
from ta_portal import datacache
from ta_portal.uploads import EVIDENCE
from ta_portal.uploads import check_upload

from .access import can_edit_framework
from .access import can_report_value
from .access import can_verify_value
from .models import COUNTRY
from .models import AnnualProgressReport
from .models import Indicator
from .models import IndicatorPeriod
from .models import IndicatorValue
from .models import ObjectiveNarrative
from .models import ProgrammeObjective
from .models import breakdown_errors
from .models import indicator_period_errors
from .models import scope_key
from .models.indicators import clean_breakdown
from .report import KIND
from .report import annual_report_data
from .report import annual_report_fingerprint


def annual_report_owner(*, programme, year: int, scope: Scope) -> AnnualProgressReport:
    owner, _created = AnnualProgressReport.objects.get_or_create(
        programme=programme, year=year, scope_key=scope_key(scope)
    )
    return owner


@transaction.atomic
def annual_report_request(*, programme, year: int, scope: Scope, by, language: str | None = None):
    """The annual progress report for the programme, year and countries: reused while its figures
    are unchanged, otherwise queued for rendering (returns at once)."""
    language = language or get_language() or "en"
    owner = annual_report_owner(programme=programme, year=year, scope=scope)
    data = annual_report_data(owner, language=language)
    return report_request(
        owner=owner,
        kind=KIND,
        language=language,
        fingerprint=annual_report_fingerprint(owner, language, data),
        by=by,
    )


def annual_report_latest(*, programme, year: int, scope: Scope, language: str | None = None):
    """The latest annual report of this programme, year and countries in the language (one query)."""
    owners = AnnualProgressReport.objects.filter(programme=programme, year=year, scope_key=scope_key(scope))
    return (
        Report.objects.filter(
            kind=KIND,
            language=language or get_language(),
            owner_type=ContentType.objects.get_for_model(AnnualProgressReport),
            owner_id__in=owners.values("pk"),
        )
        .order_by("-created_at", "-pk")
        .first()
    )


# ---- The results framework: objectives, indicators, periods, narratives ------------------------------


def _full_clean(instance, *, exclude=None) -> None:
    instance.full_clean(exclude=exclude)


@transaction.atomic
def objective_save(*, objective: ProgrammeObjective, by) -> ProgrammeObjective:
    if not can_edit_framework(by, objective.programme):
        raise PermissionDenied
    _full_clean(objective)
    objective.save()
    return objective


@transaction.atomic
def indicator_save(*, indicator: Indicator, by, periods: list[dict] | None = None) -> Indicator:
    """Save an indicator (and, when ``periods`` is given, its periods with their targets, see
    ``indicator_periods_replace``); a computed one keeps no reported values, so it cannot become
    computed while values were reported for it."""
    if not can_edit_framework(by, indicator.objective.programme):
        raise PermissionDenied
    _full_clean(indicator)
    if indicator.pk and indicator.is_computed and IndicatorValue.objects.filter(indicator=indicator).exists():
        raise ValidationError({"source": [_("Values were reported for this indicator: it cannot become computed.")]})
    indicator.save()
    if periods is not None:
        indicator_periods_replace(indicator=indicator, periods=periods)
    return indicator


def indicator_periods_replace(*, indicator: Indicator, periods: list[dict]) -> list[IndicatorPeriod]:
    """Make the indicator's periods those given, ``[{"start", "end", "target", "targets_by"}]``: a
    period with the dates of an existing one updates it (its reported values stay), the others are
    added, and existing periods not given are removed unless values were reported for them. Every
    period keeps the rules of ``indicator_period_errors`` against the others given."""
    Indicator.objects.select_for_update().get(pk=indicator.pk)
    existing = {(p.start, p.end): p for p in IndicatorPeriod.objects.filter(indicator=indicator)}
    wanted = []
    for given in periods:
        period = existing.get((given.get("start"), given.get("end"))) or IndicatorPeriod(indicator=indicator)
        period.indicator = indicator
        period.start, period.end = given.get("start"), given.get("end")
        period.target = given.get("target")
        period.targets_by = given.get("targets_by") or {}
        wanted.append(period)
    problems = []
    for index, period in enumerate(wanted):
        others = wanted[:index] + wanted[index + 1 :]
        for field, messages in indicator_period_errors(period, others=others).items():
            problems += [f"{index + 1} ({field}): {message}" for message in messages]
    kept = {id(period) for period in wanted}
    dropped = [p for p in existing.values() if id(p) not in kept]
    if dropped and IndicatorValue.objects.filter(period__in=dropped).exists():
        problems.append(_("A period with reported values cannot be removed."))
    if problems:
        raise ValidationError({"periods": problems})
    IndicatorPeriod.objects.filter(pk__in=[p.pk for p in dropped]).delete()
    for period in wanted:
        period.targets_by = clean_breakdown(period.targets_by)
        period.save()
    return wanted


@transaction.atomic
def indicator_period_save(*, period: IndicatorPeriod, by) -> IndicatorPeriod:
    """Save a period and its targets (``indicator_period_errors``: no overlap, targets that add up)."""
    if not can_edit_framework(by, period.indicator.objective.programme):
        raise PermissionDenied
    # Lock the indicator so two periods saved at once cannot both miss the other's overlap.
    Indicator.objects.select_for_update().get(pk=period.indicator_id)
    errors = indicator_period_errors(period)
    if errors:
        raise ValidationError(errors)
    period.targets_by = clean_breakdown(period.targets_by)
    period.save()
    return period


@transaction.atomic
def narrative_save(*, narrative: ObjectiveNarrative, by) -> ObjectiveNarrative:
    if not can_edit_framework(by, narrative.objective.programme):
        raise PermissionDenied
    _full_clean(narrative)
    narrative.updated_by = by
    narrative.save()
    return narrative


# ---- Reported values and their verification -----------------------------------------------------------


def indicator_value_errors(
    *, indicator: Indicator, period: IndicatorPeriod | None, value, by_values: dict, evidence: bool
) -> dict[str, list]:
    """The rules of a reported value, in one place (the page's form and the API's serializer call
    the service, which calls this)."""
    errors: dict[str, list] = {}
    if indicator.is_computed:
        errors["indicator"] = [_("This indicator is computed from the portal's data: its values cannot be reported.")]
        return errors
    if period is None or period.indicator_id != indicator.pk:
        errors["period"] = [_("Choose a period of this indicator.")]
    if value is None:
        errors["value"] = [_("Give the value.")]
    elif value < 0:
        errors["value"] = [_("A value cannot be negative.")]
    elif indicator.unit == Indicator.Unit.PERCENT and value > 100:
        errors["value"] = [_("A percentage lies between 0 and 100.")]
    if COUNTRY in (by_values or {}):
        errors["by"] = [_("A value is already one country's: give no breakdown by country.")]
    else:
        problems = breakdown_errors(indicator=indicator, total=value, breakdown=by_values, what=_("values"))
        if problems:
            errors["by"] = problems
    if not evidence:
        errors["evidence_link"] = [_("Attach the evidence: a file or a link.")]
    return errors


@transaction.atomic
def indicator_value_report(
    *,
    indicator: Indicator,
    period: IndicatorPeriod | None,
    country,
    value: Decimal | None,
    by,
    by_values: dict | None = None,
    comment: str = "",
    evidence_link: str = "",
    upload=None,
) -> IndicatorValue:
    """Report a value of an indicator for a period and a country, with evidence.

    A counterpart's value awaits a manager's verification (one at a time per period and country);
    a manager's own value is verified as it is entered, as a manager's status update is.
    """
    country_code = getattr(country, "pk", country)
    if not can_report_value(by, country_code):
        raise PermissionDenied
    checked = check_upload(upload, policy=EVIDENCE) if upload else None
    errors = indicator_value_errors(
        indicator=indicator,
        period=period,
        value=value,
        by_values=by_values or {},
        evidence=bool(checked or evidence_link),
    )
    if errors:
        raise ValidationError(errors)
    Indicator.objects.select_for_update().get(pk=indicator.pk)
    manager = can_verify_value(by, country_code)
    pending = IndicatorValue.objects.filter(
        indicator=indicator, period=period, country_id=country_code, state=UpdateState.SUBMITTED
    )
    if pending.exists() and not manager:
        raise ValidationError(
            _("An earlier value for this period is waiting for verification; report again once it is reviewed.")
        )
    now = timezone.now()
    reported = IndicatorValue(
        indicator=indicator,
        period=period,
        country_id=country_code,
        value=value,
        by=clean_breakdown(by_values or {}),
        comment=comment,
        evidence_link=evidence_link,
        submitted_by=by,
        submitted_at=now,
        state=UpdateState.ACCEPTED if manager else UpdateState.SUBMITTED,
        reviewed_by=by if manager else None,
        reviewed_at=now if manager else None,
    )
    if checked is not None:
        fields = checked.record_fields()
        reported.evidence_name = fields["original_name"]
        reported.evidence_content_type = fields["content_type"]
        reported.evidence_size = fields["size"]
        reported.evidence_sha256 = fields["sha256"]
        reported.evidence_file.save(f"evidence.{checked.extension}", checked.upload, save=False)
    if manager:
        # The manager's value replaces what was waiting: a pending report is returned to its author.
        pending.update(
            state=UpdateState.RETURNED,
            reviewed_by=by,
            reviewed_at=now,
            review_comment=str(_("Replaced by a value a manager entered.")),
        )
        datacache.changed(IndicatorValue)
    reported.save()
    return reported


@transaction.atomic
def indicator_value_review(*, value: IndicatorValue, by, accept: bool, comment: str = "") -> IndicatorValue:
    """A manager accepts a reported value (it then counts) or returns it with a comment."""
    if not can_verify_value(by, value.country_id):
        raise PermissionDenied
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": [_("Say what needs to change, so the counterpart can correct it.")]})
    value = IndicatorValue.objects.select_for_update().get(pk=value.pk)
    if value.state != UpdateState.SUBMITTED:
        raise ValidationError(_("This value was already reviewed."))
    value.state = UpdateState.ACCEPTED if accept else UpdateState.RETURNED
    value.reviewed_by, value.reviewed_at, value.review_comment = by, timezone.now(), comment
    value.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    return value
