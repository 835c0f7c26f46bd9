"""Demo data: the demo programme's budgets (the programme's for 2025 and 2026, and each
engagement's for 2025) and a year of transactions (2025): the programme's monthly running costs,
and the costs of the year's training sessions and roundtables, with travel sponsored for a
participant of each session. Its IATI file is published. Idempotent: rows are found by their
programme, engagement and period or description."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from assessments.models import Roundtable
from engagements.models import Engagement
from engagements.models import Programme
from trainings.models import Enrolment
from trainings.models import TrainingSession

from .models import Budget
from .models import IatiPublication
from .models import Transaction

PROGRAMME = "cicad-precursors"
YEAR = 2025
CURRENCY = "USD"

# (period start, period end, amount, status)
PROGRAMME_BUDGETS = [
    (date(2025, 1, 1), date(2025, 12, 31), Decimal("420000.00"), Budget.Status.COMMITTED),
    (date(2026, 1, 1), date(2026, 12, 31), Decimal("450000.00"), Budget.Status.INDICATIVE),
]
ENGAGEMENT_BUDGET = Decimal("60000.00")
MONTHLY_RUNNING_COST = Decimal("12500.00")
SESSION_COST_PER_DAY = Decimal("3200.00")
TRAVEL = Decimal("1450.00")
ROUNDTABLE_COST = Decimal("8800.00")


def _transaction(programme, description: str, **fields) -> None:
    Transaction.objects.get_or_create(
        programme=programme, description=description, defaults={"currency": CURRENCY, **fields}
    )


@transaction.atomic
def seed(out) -> None:
    programme = Programme.objects.filter(code=PROGRAMME).first()
    if programme is None:
        out.write("finance: the demo programme is missing; no money seeded")
        return
    for start, end, amount, status in PROGRAMME_BUDGETS:
        Budget.objects.get_or_create(
            programme=programme,
            engagement=None,
            period_start=start,
            defaults={"period_end": end, "amount": amount, "currency": CURRENCY, "status": status},
        )
    engagements = list(Engagement.objects.filter(programme=programme).order_by("start_date", "pk"))
    for engagement in engagements:
        Budget.objects.get_or_create(
            programme=programme,
            engagement=engagement,
            period_start=date(YEAR, 1, 1),
            defaults={
                "period_end": date(YEAR, 12, 31),
                "amount": ENGAGEMENT_BUDGET,
                "currency": CURRENCY,
                "status": Budget.Status.COMMITTED,
            },
        )
    _transaction(
        programme,
        f"Funding committed for {YEAR}",
        kind=Transaction.Kind.COMMITMENT,
        date=date(YEAR, 1, 15),
        amount=PROGRAMME_BUDGETS[0][2],
    )
    for month in range(1, 13):
        _transaction(
            programme,
            f"Programme coordination and staff, {YEAR}-{month:02d}",
            kind=Transaction.Kind.EXPENDITURE,
            date=date(YEAR, month, 28),
            amount=MONTHLY_RUNNING_COST,
        )
    sessions = TrainingSession.objects.filter(engagement__in=engagements, start_date__year=YEAR).order_by("start_date")
    for session in sessions:
        days = (session.end_date - session.start_date).days + 1
        _transaction(
            programme,
            f"Training costs: {session.title}",
            kind=Transaction.Kind.EXPENDITURE,
            date=session.end_date,
            amount=SESSION_COST_PER_DAY * days,
            engagement=session.engagement,
            session=session,
        )
        enrolment = Enrolment.objects.filter(session=session).order_by("pk").first()
        if enrolment is not None:
            _transaction(
                programme,
                f"Travel sponsored: {session.title}",
                kind=Transaction.Kind.DISBURSEMENT,
                date=session.start_date,
                amount=TRAVEL,
                engagement=session.engagement,
                session=session,
                participant=enrolment.person,
            )
    for roundtable in Roundtable.objects.filter(engagement__in=engagements, date__year=YEAR).order_by("date"):
        _transaction(
            programme,
            f"Roundtable: {roundtable}",
            kind=Transaction.Kind.EXPENDITURE,
            date=roundtable.date,
            amount=ROUNDTABLE_COST,
            engagement=roundtable.engagement,
            roundtable=roundtable,
        )
    IatiPublication.objects.update_or_create(programme=programme, defaults={"public": True})
    out.write(
        f"finance: {Budget.objects.filter(programme=programme).count()} budgets and "
        f"{Transaction.objects.filter(programme=programme).count()} transactions for {programme.name}"
    )
