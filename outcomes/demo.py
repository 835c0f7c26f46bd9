"""Demo data: the results framework of the demo CICAD programme (objectives, activity and outcome
targets, indicators with targets by sex, values reported by the counterparts and verified by the
manager, a narrative), so its dashboard shows targets against the actuals computed from the other
apps' demo data. Idempotent: objectives, targets and indicators are found by code and title."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from engagements.models import Programme

from . import services
from .models import ActivityTarget
from .models import Indicator
from .models import IndicatorPeriod
from .models import IndicatorValue
from .models import ObjectiveNarrative
from .models import OutcomeTarget
from .models import ProgrammeObjective

PROGRAMME = "cicad-precursors"

OBJECTIVES = [
    ("O1", "Personnel of the national control agencies is better trained", ProgrammeObjective.Area.CAPACITY),
    ("O2", "Chemical precursors are controlled more efficiently", ProgrammeObjective.Area.CONTROL),
    ("O3", "National agencies coordinate better", ProgrammeObjective.Area.COORDINATION),
    ("O4", "Technical assistance is delivered as planned", ProgrammeObjective.Area.DELIVERY),
]

# Target periods: the whole programme, and from the first training year on.
PROGRAMME_YEARS = (date(2023, 1, 1), date(2027, 12, 31))
TRAINING_YEARS = (date(2024, 1, 1), date(2027, 12, 31))
AT_LEAST = {"comparator": "gte"}

# (objective, title, metric, target, period, extra fields)
# fmt: off
ACTIVITY_TARGETS = [
    ("O4", "12 technical assistance actions started", "engagements_started", 12, PROGRAMME_YEARS, {}),
    ("O4", "6 national assessments completed", "assessments_completed", 6, PROGRAMME_YEARS, {}),
    ("O4", "5 roundtables held", "roundtables_held", 5, PROGRAMME_YEARS, {}),
    ("O4", "4 engagements in follow-up", "engagements_reaching_phase", 4, PROGRAMME_YEARS, {"phase": "follow_up"}),
    ("O1", "8 training webinars", "sessions_held", 8, TRAINING_YEARS, {"session_kind": "webinar"}),
    ("O1", "10 national trainings", "sessions_held", 10, TRAINING_YEARS, {"session_kind": "training"}),
    ("O1", "250 officials trained", "people_trained", 250, TRAINING_YEARS, {}),
    ("O1", "Peru: 2 national trainings", "sessions_held", 2, (date(2024, 1, 1), date(2026, 12, 31)),
     {"session_kind": "training", "country_id": "PE"}),
    ("O2", "20 measures agreed at roundtables or directly", "measures_agreed", 20, PROGRAMME_YEARS, {}),
]
OUTCOME_TARGETS = [
    ("O1", "Post-test mean ≥ 70 %", "post_mean_pct", 70, TRAINING_YEARS, AT_LEAST),
    ("O1", "Mean gain ≥ 15 points", "mean_gain_pct", 15, TRAINING_YEARS, AT_LEAST),
    ("O1", "Post-test pass rate ≥ 75 %", "post_pass_rate", 75, TRAINING_YEARS, AT_LEAST),
    ("O2", "60 % of agreed measures implemented within 18 months", "implemented_within", 60, PROGRAMME_YEARS,
     {**AT_LEAST, "within_months": 18}),
    ("O2", "Measure implementation rate ≥ 50 %", "implementation_rate", 50, PROGRAMME_YEARS, AT_LEAST),
    ("O2", "Maturity up half a level on average at re-assessment", "maturity_change", 0.5, PROGRAMME_YEARS, AT_LEAST),
    ("O3", "80 % of follow-up rounds submitted on time", "followup_compliance", 80, TRAINING_YEARS, AT_LEAST),
]
# fmt: on


def _targets(model, rows, *, programme, objectives, first_order: int) -> None:
    for order, (objective, title, metric, value, (start, end), extra) in enumerate(rows, start=first_order):
        model.objects.get_or_create(
            programme=programme,
            title=title,
            defaults={
                "objective": objectives[objective],
                "metric": metric,
                "target_value": value,
                "period_start": start,
                "period_end": end,
                "order": order,
                **extra,
            },
        )


@transaction.atomic
def seed(out) -> None:
    programme = Programme.objects.filter(code=PROGRAMME).first()
    if programme is None:
        out.write("outcomes: the demo programme is missing; no targets seeded")
        return
    objectives = {}
    for order, (code, title, area) in enumerate(OBJECTIVES):
        objectives[code], _created = ProgrammeObjective.objects.get_or_create(
            programme=programme, code=code, defaults={"title": title, "area": area, "order": order}
        )
    _targets(ActivityTarget, ACTIVITY_TARGETS, programme=programme, objectives=objectives, first_order=0)
    _targets(OutcomeTarget, OUTCOME_TARGETS, programme=programme, objectives=objectives, first_order=100)
    indicators = _indicators(objectives)
    out.write(
        f"outcomes: {len(objectives)} objectives, {indicators} indicators, {ActivityTarget.objects.filter(programme=programme).count()} activity "
        f"and {OutcomeTarget.objects.filter(programme=programme).count()} outcome targets for {programme.name}"
    )


YEARS = (2024, 2025, 2026)
# (objective, code, name, fields, {year: (target, {dimension: {value: target}})})
# fmt: off
INDICATORS = [
    ("O1", "1.1", "Officials trained, women and men",
     {"source": "computed", "metric": "people_trained", "disaggregations": ["sex", "country"],
      "baseline_value": 0, "baseline_date": date(2023, 12, 31)},
     {2024: (60, {"sex": {"female": 30, "male": 30}}), 2025: (90, {"sex": {"female": 45, "male": 45}}),
      2026: (100, {"sex": {"female": 50, "male": 50}})}),
    ("O1", "1.2", "Women among the officials trained",
     {"source": "computed", "metric": "women_trained_share", "unit": "percent", "baseline_value": 35},
     {2024: (40, {}), 2025: (45, {}), 2026: (50, {})}),
    ("O1", "1.3", "Post-test pass rate, women and men",
     {"source": "computed", "metric": "post_pass_rate", "unit": "percent", "disaggregations": ["sex"]},
     {2024: (70, {"sex": {"female": 70, "male": 70}}), 2025: (75, {"sex": {"female": 75, "male": 75}}),
      2026: (80, {"sex": {"female": 80, "male": 80}})}),
    ("O3", "3.1", "Inter-agency coordination score (questionnaire)",
     {"source": "computed", "metric": "coordination_score", "unit": "percent", "baseline_value": 40},
     {2024: (50, {}), 2025: (60, {}), 2026: (70, {})}),
    ("O2", "2.1", "Inspectors certified to inspect precursor operators, women and men",
     {"source": "reported", "disaggregations": ["sex", "country"], "baseline_value": 12,
      "baseline_date": date(2023, 12, 31)},
     {2024: (20, {"sex": {"female": 10, "male": 10}, "country": {"PE": 10, "CO": 10}}),
      2025: (30, {"sex": {"female": 15, "male": 15}, "country": {"PE": 15, "CO": 15}}),
      2026: (40, {"sex": {"female": 20, "male": 20}, "country": {"PE": 20, "CO": 20}})}),
]
# Reported values: (indicator, year, country, value, by sex, reporter)
REPORTED = [
    ("2.1", 2024, "PE", 9, {"female": 4, "male": 5}, "counterpart"),
    ("2.1", 2024, "CO", 11, {"female": 6, "male": 5}, "counterpart_co"),
    ("2.1", 2025, "PE", 14, {"female": 8, "male": 6}, "counterpart"),
    ("2.1", 2025, "CO", 13, {"female": 6, "male": 7}, "counterpart_co"),
]
# fmt: on


def _indicators(objectives) -> int:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["manager", "counterpart", "counterpart_co"])
    }
    manager = users.get("manager")
    if manager is None or set(users) != {"manager", "counterpart", "counterpart_co"}:
        return 0  # the demo users are the engagements app's; without them nothing is reported
    created = {}
    for order, (objective, code, name, fields, targets) in enumerate(INDICATORS):
        indicator, new = Indicator.objects.get_or_create(
            objective=objectives[objective], code=code, defaults={"name": name, "order": order, **fields}
        )
        created[code] = indicator
        if not new:
            continue
        indicator.full_clean()
        for year, (target, by) in targets.items():
            period = IndicatorPeriod(
                indicator=indicator,
                start=date(year, 1, 1),
                end=date(year, 12, 31),
                target=Decimal(target),
                targets_by=by,
            )
            services.indicator_period_save(period=period, by=manager)
    for code, year, country, value, by_sex, reporter in REPORTED:
        indicator = created[code]
        period = indicator.periods.get(start=date(year, 1, 1))
        if IndicatorValue.objects.filter(indicator=indicator, period=period, country_id=country).exists():
            continue
        reported = services.indicator_value_report(
            indicator=indicator,
            period=period,
            country=country,
            value=Decimal(value),
            by_values={"sex": by_sex},
            comment="Certificates issued by the national training centre.",
            evidence_link="https://example.org/evidence/inspectors-certified",
            by=users[reporter],
        )
        if reported.is_pending and manager is not None:
            services.indicator_value_review(value=reported, by=manager, accept=True)
    ObjectiveNarrative.objects.get_or_create(
        objective=objectives["O1"],
        year=2025,
        defaults={
            "achievements": "Customs and police officers of Peru and Colombia were trained together; "
            "women were half of the participants for the first time.",
            "challenges": "Staff turnover in the customs administrations.",
            "lessons": "Mentoring after the training keeps what was learned in use.",
            "translations": {
                "es": {
                    "achievements": "Funcionarios de aduanas y policía de Perú y Colombia se "
                    "formaron juntos; por primera vez la mitad fueron mujeres."
                }
            },
        },
    )
    return len(created)
