from datetime import date
from decimal import Decimal

from engagements.models import Programme
from finance.models import Budget
from finance.models import Transaction


def with_programme(world) -> None:
    """A programme with the own country's engagement, another with the other country's."""
    world.programme, _created = Programme.objects.get_or_create(
        code="own-programme", defaults={"name": "Own programme"}
    )
    world.other_programme, _created = Programme.objects.get_or_create(
        code="other-programme", defaults={"name": "Other programme"}
    )
    world.engagement.programme = world.programme
    world.engagement.save(update_fields=["programme"])
    world.other_engagement.programme = world.other_programme
    world.other_engagement.save(update_fields=["programme"])


def with_money(world) -> None:
    """An engagement budget and transaction in each country, and a programme-wide budget of each programme."""
    with_programme(world)
    for side, programme, engagement in (
        ("own", world.programme, world.engagement),
        ("other", world.other_programme, world.other_engagement),
    ):
        prefix = "" if side == "own" else "other_"
        setattr(world, f"{prefix}budget", budget(programme, engagement))
        setattr(world, f"{prefix}programme_budget", budget(programme, None))
        setattr(world, f"{prefix}transaction", transaction(programme, engagement))


def budget(programme, engagement, **fields) -> Budget:
    values = {
        "period_start": date(2025, 1, 1),
        "period_end": date(2025, 12, 31),
        "amount": Decimal("1000.00"),
        "currency": "USD",
        "status": Budget.Status.COMMITTED,
        **fields,
    }
    return Budget.objects.create(programme=programme, engagement=engagement, **values)


def transaction(programme, engagement, **fields) -> Transaction:
    values = {
        "kind": Transaction.Kind.EXPENDITURE,
        "date": date(2025, 3, 1),
        "amount": Decimal("250.00"),
        "currency": "USD",
        "description": "Workshop venue",
        **fields,
    }
    return Transaction.objects.create(programme=programme, engagement=engagement, **values)
