"""A corpus for search: in each country of the standard world, one record of every kind holding the
word "kestrel", and beside them records some roles must not see (a draft assessment, a draft report,
documents for managers or for one country)."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from accounts.roles import Role
from assessments.models import Assessment
from network.models import Document
from tests.assessments.factories import add_finding
from tests.assessments.factories import add_recommendation
from tests.assessments.factories import make_assessment
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import report
from tests.network.factories import ExpertProfileFactory
from tests.network.factories import make_document

WORD = "kestrel"


@dataclass
class Side:
    """The records of one country, by name, as (kind, id)."""

    records: dict[str, tuple[str, int]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> tuple[str, int]:
        return self.records[name]


def build_corpus(world) -> dict[str, Side]:
    sides = {}
    counterparts = {world.own: world.users["counterpart"], world.other: make_user(Role.COUNTERPART, world.other)}
    for country, engagement in ((world.own, world.engagement), (world.other, world.other_engagement)):
        side = Side()
        engagement.description = f"Help the {WORD} agencies of {country}"
        engagement.save(update_fields=["description"])
        side.records["engagement"] = ("engagement", engagement.pk)
        shared = make_assessment(engagement=engagement, title=f"Shared {country}", status=Assessment.Status.IN_REVIEW)
        finding = add_finding(shared, text=f"The {WORD} registry of {country} is out of date")
        side.records["finding"] = ("finding", finding.pk)
        recommendation = add_recommendation(finding, text=f"Update the {WORD} registry")
        side.records["recommendation"] = ("recommendation", recommendation.pk)
        draft = make_assessment(engagement=engagement, title=f"Draft {country}")
        side.records["draft finding"] = ("finding", add_finding(draft, text=f"A {WORD} finding in draft").pk)
        measure = make_measure(engagement, title=f"Inspect the {WORD} operators", by=world.users["admin"])
        side.records["measure"] = ("measure", measure.pk)
        other_measure = make_measure(engagement, title="Publish the register", by=world.users["admin"])
        round_ = open_round(engagement, opens_on=date(2026, 1, 5), due_date=date(2026, 2, 5))
        update = report(measure, round_, counterparts[country], narrative=f"Three {WORD} operators inspected")
        side.records["update"] = ("status_update", update.pk)
        draft_update = report(other_measure, round_, counterparts[country], narrative=f"{WORD} draft", submit=False)
        side.records["draft update"] = ("status_update", draft_update.pk)
        person = PersonFactory(country_id=country, full_name=f"Ana {WORD.title()} {country}", agency=None)
        side.records["person"] = ("person", person.pk)
        expert = ExpertProfileFactory(
            person=PersonFactory(country_id=country, agency=None), expertise=f"{WORD} tracing"
        )
        side.records["expert"] = ("expert", expert.pk)
        for name, audience in (
            ("document", Document.Audience.EVERYONE),
            ("managers document", Document.Audience.MANAGERS),
            ("country document", Document.Audience.COUNTRY),
        ):
            extra = {"audience_country_id": country} if audience == Document.Audience.COUNTRY else {}
            document = make_document(
                by=world.users["admin"], title=f"{WORD.title()} guide {name} {country}", audience=audience, **extra
            )
            side.records[name] = ("document", document.pk)
        sides[country] = side
    return sides
