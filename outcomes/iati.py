"""The programme's IATI activity file (IATI standard 2.03, https://iatistandard.org/en/iati-standard/203/).

One ``iati-activity`` for the programme (hierarchy 1) and one per engagement (hierarchy 2), linked
both ways by ``related-activity`` (parent 1, child 2). Each carries the reporting and participating
organisations (settings ``IATI_*``, README), its titles and descriptions in every language the
portal has text for, its status and planned/actual dates, the recipient countries, the DAC
purpose code 16063 (narcotics control), its budgets and transactions (finance) and, on the
programme, the results: one per objective, with its indicators, baselines and periods with
targets and actuals (``indicators.indicator_periods``), with a ``sex`` dimension where the
indicator is disaggregated by sex.

It lives in outcomes because it reads every app (finance's money, the results framework, the
engagements); it is built with the standard library's ElementTree, and tests validate it against
the official schema (``reference/iati-2.03/``). Decimal amounts are written as they are stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree as ET  # noqa: N817 (the module's usual name)

from django.conf import settings
from django.utils import timezone

from accounts.scoping import Scope
from engagements.models import Engagement
from engagements.models import Programme
from finance.models import Budget
from finance.models import Transaction

from .indicators import indicators_periods
from .models import SEX
from .models import Indicator
from .models import ObjectiveNarrative
from .models import ProgrammeObjective

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SOURCE_LANGUAGE = "en"
NARCOTICS_CONTROL = "16063"  # DAC 5-digit purpose code
DAC_PURPOSE_VOCABULARY = "1"

# IATI codelists: ActivityStatus, ActivityDateType, BudgetStatus, TransactionType, OrganisationRole,
# RelatedActivityType, IndicatorMeasure, ResultType, DescriptionType.
PIPELINE, IMPLEMENTATION, CLOSED = "1", "2", "4"
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
BUDGET_STATUS = {Budget.Status.INDICATIVE: "1", Budget.Status.COMMITTED: "2"}
ORIGINAL_BUDGET = "1"
TRANSACTION_TYPE = {
    Transaction.Kind.COMMITMENT: "2",
    Transaction.Kind.DISBURSEMENT: "3",
    Transaction.Kind.EXPENDITURE: "4",
}
FUNDING, IMPLEMENTING = "1", "4"
PARENT, CHILD = "1", "2"
MEASURE = {Indicator.Unit.NUMBER: "1", Indicator.Unit.PERCENT: "2"}
OUTCOME_RESULT = "2"
GENERAL_DESCRIPTION, OBJECTIVES_DESCRIPTION = "1", "2"


def reporting_org() -> dict:
    return {
        "ref": settings.IATI_REPORTING_ORG_REF,
        "name": settings.IATI_REPORTING_ORG_NAME,
        "type": settings.IATI_REPORTING_ORG_TYPE,
    }


def activity_identifier(programme: Programme, engagement: Engagement | None = None) -> str:
    """``<reporting org ref>-<programme code>`` and, for an engagement, ``-E<id>``."""
    base = f"{settings.IATI_REPORTING_ORG_REF}-{programme.code}"
    return base if engagement is None else f"{base}-E{engagement.pk}"


def _texts(translations: dict, key: str, english: str) -> dict[str, str]:
    """The text in English and in every other language the portal has it in."""
    texts = {SOURCE_LANGUAGE: english} if english else {}
    for language, block in sorted((translations or {}).items()):
        text = (block or {}).get(key) if isinstance(block, dict) else None
        if text and language != SOURCE_LANGUAGE:
            texts[language] = text
    return texts


def _narratives(parent: ET.Element, texts: dict[str, str]) -> ET.Element:
    for language, text in texts.items():
        narrative = ET.SubElement(parent, "narrative")
        if language != SOURCE_LANGUAGE:
            narrative.set(XML_LANG, language)
        narrative.text = text
    return parent


def _element(parent: ET.Element, tag: str, texts: dict[str, str] | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.replace("_", "-"): str(v) for k, v in attributes.items() if v not in (None, "")}
    )
    if texts:
        _narratives(element, texts)
    return element


def _amount(value: Decimal) -> str:
    return format(value, "f")


def _number(value: float) -> str:
    return format(Decimal(repr(value)).normalize(), "f")


def _status(start: date | None, end: date | None, today: date, *, closed: bool = False) -> str:
    if closed or (end is not None and end < today):
        return CLOSED
    if start is not None and start > today:
        return PIPELINE
    return IMPLEMENTATION


def _dates(activity: ET.Element, start: date | None, end: date | None, today: date) -> None:
    if start is not None:
        _element(activity, "activity-date", type=PLANNED_START, iso_date=start.isoformat())
        if start <= today:
            _element(activity, "activity-date", type=ACTUAL_START, iso_date=start.isoformat())
    if end is not None:
        _element(activity, "activity-date", type=PLANNED_END, iso_date=end.isoformat())
        if end < today:
            _element(activity, "activity-date", type=ACTUAL_END, iso_date=end.isoformat())


def _percentages(codes: list[str]) -> list[tuple[str, str]]:
    """Equal shares that add up to exactly 100 (the last takes the rounding)."""
    if not codes:
        return []
    share = (Decimal(100) / len(codes)).quantize(Decimal("0.01"))
    shares = [share] * (len(codes) - 1)
    shares.append(Decimal(100) - sum(shares))
    return [(code, _amount(value)) for code, value in zip(codes, shares, strict=True)]


def _head(parent: ET.Element, identifier: str, *, hierarchy: int) -> ET.Element:
    activity = _element(
        parent,
        "iati-activity",
        last_updated_datetime=timezone.now().replace(microsecond=0).isoformat(),
        hierarchy=hierarchy,
    )
    activity.set(XML_LANG, SOURCE_LANGUAGE)
    _element(activity, "iati-identifier").text = identifier
    org = reporting_org()
    _element(activity, "reporting-org", {SOURCE_LANGUAGE: org["name"]}, ref=org["ref"], type=org["type"])
    return activity


def _participants(activity: ET.Element, programme: Programme) -> None:
    org = reporting_org()
    if programme.funder:
        _element(
            activity,
            "participating-org",
            {SOURCE_LANGUAGE: programme.funder},
            ref=settings.IATI_FUNDING_ORG_REF,
            role=FUNDING,
        )
    _element(
        activity,
        "participating-org",
        {SOURCE_LANGUAGE: org["name"]},
        ref=org["ref"],
        role=IMPLEMENTING,
        type=org["type"],
    )


def _sector(activity: ET.Element) -> None:
    _element(activity, "sector", vocabulary=DAC_PURPOSE_VOCABULARY, code=NARCOTICS_CONTROL, percentage="100")


def _budgets(activity: ET.Element, budgets: Iterable[Budget]) -> None:
    for budget in budgets:
        element = _element(activity, "budget", type=ORIGINAL_BUDGET, status=BUDGET_STATUS[budget.status])
        _element(element, "period-start", iso_date=budget.period_start.isoformat())
        _element(element, "period-end", iso_date=budget.period_end.isoformat())
        value = _element(element, "value", currency=budget.currency, value_date=budget.period_start.isoformat())
        value.text = _amount(budget.amount)


def _transactions(activity: ET.Element, records: Iterable[Transaction]) -> None:
    for record in records:
        element = _element(activity, "transaction", ref=f"T{record.pk}")
        _element(element, "transaction-type", code=TRANSACTION_TYPE[record.kind])
        _element(element, "transaction-date", iso_date=record.date.isoformat())
        _element(element, "value", currency=record.currency, value_date=record.date.isoformat()).text = _amount(
            record.amount
        )
        if record.description:
            _element(element, "description", {SOURCE_LANGUAGE: record.description})


def _measures(element: ET.Element, tag: str, entry: dict, key: str, by_sex: dict) -> None:
    """``target`` or ``actual``: the total, then one per sex with a ``sex`` dimension."""
    if entry.get(key) is not None:
        _element(element, tag, value=_number(entry[key]))
    for sex, values in by_sex.items():
        if values.get(key) is not None:
            measured = _element(element, tag, value=_number(values[key]))
            _element(measured, "dimension", name=SEX, value=sex)


def _results(activity: ET.Element, objectives: list[ProgrammeObjective], indicators, periods, narratives) -> None:
    for objective in objectives:
        own = [i for i in indicators if i.objective_id == objective.pk]
        if not own:
            continue
        result = _element(activity, "result", type=OUTCOME_RESULT, aggregation_status="0")
        _element(result, "title", {SOURCE_LANGUAGE: f"{objective.code} {objective.title}"})
        texts = narratives.get(objective.pk) or (
            {SOURCE_LANGUAGE: objective.description} if objective.description else {}
        )
        if texts:
            _element(result, "description", texts)
        for indicator in own:
            element = _element(
                result,
                "indicator",
                measure=MEASURE[indicator.unit],
                ascending="0" if indicator.direction == Indicator.Direction.LOWER else "1",
            )
            _element(element, "title", _texts(indicator.translations, "name", f"{indicator.code} {indicator.name}"))
            if indicator.description:
                _element(element, "description", _texts(indicator.translations, "description", indicator.description))
            if indicator.baseline_date is not None or indicator.baseline_value is not None:
                day = indicator.baseline_date
                _element(
                    element,
                    "baseline",
                    year=(day or objective.programme.start_date or timezone.localdate()).year,
                    iso_date=day.isoformat() if day else None,
                    value=_amount(indicator.baseline_value) if indicator.baseline_value is not None else None,
                )
            for period in periods.get(indicator.pk, []):
                element_period = _element(element, "period")
                _element(element_period, "period-start", iso_date=period["start"].isoformat())
                _element(element_period, "period-end", iso_date=period["end"].isoformat())
                by_sex = period["by"].get(SEX, {})
                _measures(element_period, "target", period, "target", by_sex)
                _measures(element_period, "actual", period, "actual", by_sex)


def _narratives_by_objective(objectives: list[ProgrammeObjective], year: int) -> dict[int, dict[str, str]]:
    """The achievements written for each objective in the latest year up to ``year``, in every
    language they were written in."""
    found: dict[int, dict[str, str]] = {}
    for narrative in ObjectiveNarrative.objects.filter(objective__in=objectives, year__lte=year).order_by("year", "pk"):
        texts = _texts(narrative.translations, "achievements", narrative.achievements)
        if texts:
            found[narrative.objective_id] = texts
    return found


def activities_file(*, programme: Programme, scope: Scope, today: date | None = None) -> bytes:
    """The IATI activity file of the programme, over the countries (and their money) of ``scope``."""
    today = today or timezone.localdate()
    engagements = list(
        Engagement.objects.filter(scope.q("country"), programme=programme)
        .select_related("country")
        .order_by("start_date", "pk")
    )
    budgets = defaultdict(list)
    for budget in Budget.objects.in_scope(scope).filter(programme=programme).order_by("period_start", "pk"):
        budgets[budget.engagement_id].append(budget)
    records = defaultdict(list)
    for record in Transaction.objects.in_scope(scope).filter(programme=programme).order_by("date", "pk"):
        records[record.engagement_id].append(record)
    objectives = list(ProgrammeObjective.objects.filter(programme=programme).select_related("programme"))
    indicators = list(Indicator.objects.filter(objective__programme=programme).select_related("objective__programme"))
    periods = indicators_periods(indicators, scope=scope, today=today)

    root = ET.Element(
        "iati-activities", {"version": VERSION, "generated-datetime": timezone.now().replace(microsecond=0).isoformat()}
    )

    # The programme.
    activity = _head(root, activity_identifier(programme), hierarchy=1)
    _element(activity, "title", {SOURCE_LANGUAGE: programme.name})
    # The schema asks for a description: the title stands in when none was written.
    general = programme.description or programme.name
    _element(activity, "description", {SOURCE_LANGUAGE: general}, type=GENERAL_DESCRIPTION)
    objectives_text = "\n".join(f"{o.code} {o.title}" for o in objectives)
    if objectives_text:
        _element(activity, "description", {SOURCE_LANGUAGE: objectives_text}, type=OBJECTIVES_DESCRIPTION)
    _participants(activity, programme)
    # The schema asks for a date: without its own start, the programme starts with its first engagement.
    start = programme.start_date or min((e.start_date for e in engagements), default=today)
    _element(activity, "activity-status", code=_status(start, programme.end_date, today))
    _dates(activity, start, programme.end_date, today)
    for code, percentage in _percentages(sorted({e.country_id for e in engagements})):
        _element(activity, "recipient-country", code=code, percentage=percentage)
    _sector(activity)
    _budgets(activity, budgets[None])
    _transactions(activity, records[None])
    for engagement in engagements:
        _element(activity, "related-activity", ref=activity_identifier(programme, engagement), type=CHILD)
    _results(activity, objectives, indicators, periods, _narratives_by_objective(objectives, today.year))

    # Its engagements.
    for engagement in engagements:
        child = _head(root, activity_identifier(programme, engagement), hierarchy=2)
        _element(child, "title", {SOURCE_LANGUAGE: engagement.title})
        general = engagement.description or engagement.title
        _element(child, "description", {SOURCE_LANGUAGE: general}, type=GENERAL_DESCRIPTION)
        _participants(child, programme)
        closed = engagement.phase == Engagement.Phase.CLOSED
        planning = engagement.phase == Engagement.Phase.PLANNING
        status = _status(engagement.start_date, engagement.end_date, today, closed=closed)
        _element(child, "activity-status", code=PIPELINE if planning and status != CLOSED else status)
        _dates(child, engagement.start_date, engagement.end_date, today)
        country = _texts(engagement.country.translations, "name", engagement.country.name)
        _element(child, "recipient-country", country, code=engagement.country_id, percentage="100")
        _sector(child)
        _budgets(child, budgets[engagement.pk])
        _transactions(child, records[engagement.pk])
        _element(child, "related-activity", ref=activity_identifier(programme), type=PARENT)

    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
