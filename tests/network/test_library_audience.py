"""Every audience rule of the library, through every way to reach a document: the list, the text
search, the page, the download (current and older version), and the API (list, search, detail,
download). Whoever is outside the audience gets nothing: absent from lists, 404 everywhere else."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from network import services
from network.models import Document
from network.models import Registration
from tests.factories import PersonFactory
from tests.factories import UserFactory
from tests.factories import make_user
from tests.network.factories import EventFactory
from tests.network.factories import NetworkFactory
from tests.network.factories import make_document
from tests.network.factories import upload

pytestmark = pytest.mark.django_db


def _status_and_close(response) -> int:
    if hasattr(response, "streaming_content"):
        # Consuming the stream closes the file (the test client closes the response at its end).
        b"".join(response.streaming_content)
    return response.status_code


def ways_to_reach(client, document) -> dict[str, bool]:
    """Whether the signed-in user reaches the document by each route."""
    title_word = document.title.split()[-1]
    page_list = client.get(reverse("network:document_list"))
    page_search = client.get(reverse("network:document_list"), {"q": title_word})
    api_list = client.get("/api/v1/documents/")
    api_search = client.get("/api/v1/documents/", {"q": title_word})
    return {
        "list": document.pk in [d.pk for d in page_list.context["page"]],
        "search": document.pk in [d.pk for d in page_search.context["page"]],
        "detail": client.get(document.get_absolute_url()).status_code == 200,
        "download": _status_and_close(client.get(reverse("network:document_download", args=[document.pk]))) == 200,
        "old version": _status_and_close(
            client.get(reverse("network:document_version_download", args=[document.pk, 1]))
        )
        == 200,
        "api list": document.pk in [d["id"] for d in api_list.json()["results"]],
        "api search": document.pk in [d["id"] for d in api_search.json()["results"]],
        "api detail": client.get(f"/api/v1/documents/{document.pk}/").status_code == 200,
        "api download": _status_and_close(client.get(f"/api/v1/documents/{document.pk}/download/")) == 200,
    }


def assert_reaches(client, user, document):
    client.force_login(user)
    reached = ways_to_reach(client, document)
    assert all(reached.values()), f"{user} should reach {document.audience_label}: {reached}"


def assert_never_reaches(client, user, document):
    client.force_login(user)
    reached = ways_to_reach(client, document)
    assert not any(reached.values()), f"{user} must not reach {document.audience_label}: {reached}"
    # and the refusals are 404, never 403, so the document's existence does not leak
    assert client.get(document.get_absolute_url()).status_code == 404
    assert client.get(reverse("network:document_download", args=[document.pk])).status_code == 404
    assert client.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404


@pytest.fixture
def uploader():
    return make_user(Role.MANAGER, "PE", username="uploader")


def _with_two_versions(document, uploader):
    services.document_replace(document=document, uploaded=upload("v2.pdf"), by=uploader, note="second")
    return document


def test_a_document_for_everyone_reaches_every_signed_in_user(client, uploader):
    document = _with_two_versions(make_document(by=uploader, title="Open guide"), uploader)
    for user in (
        make_user(Role.COUNTERPART, "CO"),
        make_user(Role.VIEWER, "BO"),
        make_user(Role.TRAINER, "EC"),
        UserFactory(),  # someone signed in with no role at all is still "everyone signed in"
    ):
        assert_reaches(client, user, document)


def test_nobody_signed_out_reaches_any_document(client, uploader):
    document = make_document(by=uploader, title="Open guide")
    assert client.get(document.get_absolute_url()).status_code == 302
    assert client.get(reverse("network:document_download", args=[document.pk])).status_code == 302
    assert client.get(f"/api/v1/documents/{document.pk}/download/").status_code == 401
    assert client.get("/api/v1/documents/").status_code == 401


def test_a_network_document_reaches_only_the_network_members(client, uploader):
    # given a network with a Colombian counterpart as member
    member = make_user(Role.COUNTERPART, "CO", username="member")
    network = NetworkFactory(members=[member], coordinators=[uploader])
    document = _with_two_versions(
        make_document(by=uploader, title="Network report", audience="network", audience_network=network), uploader
    )
    # then members, the coordinator (uploader) and administrators reach it
    assert_reaches(client, member, document)
    assert_reaches(client, uploader, document)
    assert_reaches(client, make_user(Role.ADMIN), document)
    # and nobody else, not even managers of the same countries, a global manager or a member of another network
    other_network_member = make_user(Role.COUNTERPART, "CO")
    NetworkFactory(members=[other_network_member])
    for outsider in (
        make_user(Role.COUNTERPART, "CO"),
        make_user(Role.MANAGER, "CO"),
        make_user(Role.MANAGER),  # global
        make_user(Role.VIEWER),  # global
        other_network_member,
    ):
        assert_never_reaches(client, outsider, document)


def test_leaving_the_network_loses_the_document(client, uploader):
    member = make_user(Role.COUNTERPART, "CO")
    network = NetworkFactory(members=[member], coordinators=[uploader])
    document = make_document(by=uploader, title="Network report", audience="network", audience_network=network)
    assert_reaches(client, member, document)
    services.network_remove_member(network=network, user=member)
    assert_never_reaches(client, member, document)


def test_an_event_document_reaches_only_participants_and_organisers(client, uploader):
    # given an event organised by someone, with a registered participant who has an account
    organiser = make_user(Role.COUNTERPART, "PE", username="organiser")
    event = EventFactory(organisers=[organiser], host_country_id="PE", countries=["PE", "CO"])
    participant = make_user(Role.COUNTERPART, "CO", username="participant")
    Registration.objects.create(event=event, person=PersonFactory(country_id="CO", agency=None, user=participant))
    cancelled = make_user(Role.COUNTERPART, "CO", username="cancelled")
    Registration.objects.create(
        event=event,
        person=PersonFactory(country_id="CO", agency=None, user=cancelled),
        status=Registration.Status.CANCELLED,
    )
    document = _with_two_versions(
        make_document(by=uploader, title="Training module", audience="event", audience_event=event), uploader
    )
    # then
    assert_reaches(client, participant, document)
    assert_reaches(client, organiser, document)
    for outsider in (
        cancelled,
        make_user(Role.COUNTERPART, "CO"),  # of a participating country, not registered
        make_user(Role.MANAGER, "CO"),  # manages a participating country, but not the host: not an editor
        make_user(Role.VIEWER),  # global viewer
    ):
        assert_never_reaches(client, outsider, document)


def test_cancelling_a_registration_loses_the_event_document(client, uploader):
    event = EventFactory()
    participant = make_user(Role.COUNTERPART, "PE")
    registration = Registration.objects.create(
        event=event, person=PersonFactory(country_id="PE", agency=None, user=participant)
    )
    document = make_document(by=uploader, title="Handout", audience="event", audience_event=event)
    assert_reaches(client, participant, document)
    services.registration_cancel(registration=registration)
    assert_never_reaches(client, participant, document)


def test_a_country_document_reaches_only_that_country_s_users(client, uploader):
    document = _with_two_versions(
        make_document(by=uploader, title="Peru legislation", audience="country", audience_country_id="PE"), uploader
    )
    for insider in (
        make_user(Role.COUNTERPART, "PE"),
        make_user(Role.VIEWER, "PE", "CO"),
        make_user(Role.TRAINER, "PE"),
        make_user(Role.MANAGER),  # a global role reaches every country
    ):
        assert_reaches(client, insider, document)
    for outsider in (
        make_user(Role.COUNTERPART, "CO"),
        make_user(Role.MANAGER, "CO", "BO"),
        make_user(Role.VIEWER, "EC"),
    ):
        assert_never_reaches(client, outsider, document)


def test_a_managers_document_reaches_only_managers_and_administrators(client, uploader):
    document = _with_two_versions(make_document(by=uploader, title="Funding notes", audience="managers"), uploader)
    for insider in (make_user(Role.MANAGER, "CO"), make_user(Role.MANAGER), make_user(Role.ADMIN)):
        assert_reaches(client, insider, document)
    for outsider in (
        make_user(Role.TRAINER, "PE"),
        make_user(Role.COUNTERPART, "PE"),
        make_user(Role.VIEWER),
    ):
        assert_never_reaches(client, outsider, document)


def test_restricting_an_open_document_later_takes_it_away_at_once(client, uploader):
    document = make_document(by=uploader, title="Draft notes")
    reader = make_user(Role.COUNTERPART, "CO")
    assert_reaches(client, reader, document)
    Document.objects.filter(pk=document.pk).update(audience="managers")
    assert_never_reaches(client, reader, document)


def test_the_search_combines_text_and_filters_within_the_audience(client, uploader):
    pe = make_user(Role.COUNTERPART, "PE")
    open_pe = make_document(by=uploader, title="Inspection checklist", kind="good_practice")
    open_pe.countries.set(["PE"])
    make_document(by=uploader, title="Inspection manual", kind="training_material")
    hidden = make_document(by=uploader, title="Inspection secrets", audience="managers")
    client.force_login(pe)

    def titles(query):
        return sorted(d.title for d in client.get(reverse("network:document_list"), query).context["page"])

    assert titles({"q": "inspection"}) == ["Inspection checklist", "Inspection manual"]
    assert titles({"q": "inspection", "kind": "good_practice"}) == ["Inspection checklist"]
    assert titles({"country": "PE"}) == ["Inspection checklist"]
    assert hidden.title not in titles({"q": "secrets"})
    api = client.get("/api/v1/documents/", {"q": "inspection", "kind": "training_material"}).json()
    assert [d["title"] for d in api["results"]] == ["Inspection manual"]
