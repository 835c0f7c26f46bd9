"""Demo data: the results framework of the demo CICAD programme (objectives, activity and outcome
targets), so its dashboard shows targets against the actuals computed from the other apps' demo
data. Idempotent: objectives and targets are found by code and title."""

from datetime import date

from django.db import transaction

from engagements.models import Programme

from .models import ActivityTarget
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
    out.write(
        f"outcomes: {len(objectives)} objectives, {ActivityTarget.objects.filter(programme=programme).count()} activity "
        f"and {OutcomeTarget.objects.filter(programme=programme).count()} outcome targets for {programme.name}"
    )
