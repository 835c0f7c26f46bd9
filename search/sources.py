"""What search looks through: one ``Source`` per kind of result, each reading its model's own scoping
queryset (``visible_to``), so search shows exactly what the pages and the API show the user.

The search app comes last among the portal's apps so that it may read every other one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from assessments.models import Finding
from assessments.models import Recommendation
from engagements.models import Engagement
from engagements.models import Person
from followups.models import Measure
from followups.models import StatusUpdate
from network.models import Document
from network.models import ExpertProfile

TITLE_CHARS = 120


@dataclass(frozen=True)
class Source:
    kind: str
    label: str  # lazy: the kind's name in the page's language
    visible: Callable[[object], QuerySet]  # the user's scoped queryset, with what title and url read
    fields: tuple[tuple[str, str], ...]  # (field, weight A–D) searched; the first carries the title
    snippet_fields: tuple[str, ...]  # the fields the highlighted snippet is taken from
    title: Callable[[Model], str]
    url: Callable[[Model], str]
    stored_vector: str = ""  # a SearchVectorField kept by the model's services, used on PostgreSQL
    # Long columns PostgreSQL reads for the rank and snippet, never needed in Python there.
    deferred: tuple[str, ...] = ()


def _short(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(TITLE_CHARS)


def _person_url(person: Person) -> str:
    query = urlencode({"q": person.full_name, "country": person.country_id})
    return f"{reverse('engagements:person_list')}?{query}"


SOURCES = (
    Source(
        kind="engagement",
        label=_("Engagement"),
        visible=Engagement.objects.visible_to,
        fields=(("title", "A"), ("description", "B")),
        snippet_fields=("description",),
        title=lambda engagement: engagement.title,
        url=lambda engagement: engagement.get_absolute_url(),
    ),
    Source(
        kind="finding",
        label=_("Finding"),
        visible=lambda user: Finding.objects.visible_to(user).select_related("assessment"),
        fields=(("text", "B"),),
        snippet_fields=("text",),
        title=lambda finding: _short(finding.text),
        url=lambda finding: f"{finding.assessment.get_absolute_url()}#finding-{finding.pk}",
    ),
    Source(
        kind="recommendation",
        label=_("Recommendation"),
        visible=lambda user: Recommendation.objects.visible_to(user).select_related("finding__assessment"),
        fields=(("text", "B"),),
        snippet_fields=("text",),
        title=lambda recommendation: _short(recommendation.text),
        url=lambda rec: f"{rec.finding.assessment.get_absolute_url()}#recommendation-{rec.pk}",
    ),
    Source(
        kind="measure",
        label=_("Measure"),
        visible=Measure.objects.visible_to,
        fields=(("title", "A"), ("description", "B")),
        snippet_fields=("description",),
        title=lambda measure: measure.title,
        url=lambda measure: measure.get_absolute_url(),
    ),
    Source(
        kind="status_update",
        label=_("Status update"),
        visible=lambda user: StatusUpdate.objects.visible_to(user).exclude(narrative="").select_related("measure"),
        fields=(("narrative", "B"),),
        snippet_fields=("narrative",),
        title=lambda update: update.measure.title,
        url=lambda update: reverse("followups:update_detail", args=[update.pk]),
    ),
    Source(
        kind="document",
        label=_("Library document"),
        visible=Document.objects.visible_to,
        fields=(("title", "A"), ("authors", "B"), ("description", "B"), ("text", "C")),
        snippet_fields=("description", "text"),
        title=lambda document: document.title,
        url=lambda document: document.get_absolute_url(),
        stored_vector="search_vector",
        deferred=("text", "search_vector"),
    ),
    Source(
        kind="person",
        label=_("Person"),
        visible=Person.objects.visible_to,
        fields=(("full_name", "A"), ("position", "B"), ("email", "B")),
        snippet_fields=("position",),
        title=lambda person: person.full_name,
        url=_person_url,
    ),
    Source(
        kind="expert",
        label=_("Expert"),
        visible=lambda user: ExpertProfile.objects.visible_to(user).select_related("person"),
        fields=(("person__full_name", "A"), ("expertise", "B"), ("bio", "C")),
        snippet_fields=("expertise", "bio"),
        title=lambda expert: expert.person.full_name,
        url=lambda expert: expert.get_absolute_url(),
    ),
)
KINDS = {source.kind: source for source in SOURCES}
