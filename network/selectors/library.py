"""Reads of the library: documents a user may read, searched and filtered."""

from django.db.models import Q
from django.db.models import QuerySet

from accounts.access import get_visible_or_404

from ..models import Document
from .common import text_search


def document_search(
    *,
    user,
    search: str = "",
    kind: str = "",
    language: str = "",
    country: str = "",
    topic: int | None = None,
    substance: int | None = None,
    network: int | None = None,
    event: int | None = None,
) -> QuerySet[Document]:
    documents = Document.objects.visible_to(user).select_related(
        "current_version", "audience_network", "audience_event", "audience_country"
    )
    documents = text_search(documents, search, "title", "description", "authors", "current_version__original_name")
    if kind:
        documents = documents.filter(kind=kind)
    if language:
        documents = documents.filter(language=language)
    # Many-to-many filters go through subqueries, so a document never appears twice.
    if country:
        documents = documents.filter(
            pk__in=Document.countries.through.objects.filter(country_id=country.upper()).values("document")
        )
    if topic:
        documents = documents.filter(
            pk__in=Document.topics.through.objects.filter(dimension_id=topic).values("document")
        )
    if substance:
        documents = documents.filter(
            pk__in=Document.substances.through.objects.filter(controlledsubstance_id=substance).values("document")
        )
    if network:
        documents = documents.filter(
            Q(audience_network_id=network)
            | Q(pk__in=Document.events.through.objects.filter(networkevent__network_id=network).values("document"))
        )
    if event:
        documents = documents.filter(
            Q(audience_event_id=event)
            | Q(pk__in=Document.events.through.objects.filter(networkevent_id=event).values("document"))
        )
    return documents.prefetch_related("countries")


def document_get_for_user(*, user, pk: int) -> Document:
    return get_visible_or_404(
        Document.objects.select_related("current_version", "audience_network", "audience_event", "audience_country"),
        user,
        pk=pk,
    )
