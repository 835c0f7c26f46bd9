"""The expert directory: only people who opted in, visible to officials and network members, and
each person's hidden contact details never appear in HTML, API or vCard."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from engagements.models import Agency
from network.models import ExpertProfile
from network.selectors import ExpertEntry
from network.selectors import directory_entries
from network.selectors import directory_queryset
from network.vcard import entry_vcard
from tests.factories import AgencyFactory
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.network.factories import ExpertProfileFactory
from tests.network.factories import NetworkFactory

pytestmark = pytest.mark.django_db

HIDDEN_EMAIL = "hidden.inspector@example.org"
HIDDEN_PHONE = "+57 1 999 0000"


@pytest.fixture
def hidden_expert():
    person = PersonFactory(
        full_name="Hidden Inspector",
        email=HIDDEN_EMAIL,
        agency=AgencyFactory(country_id="CO", kind=Agency.Kind.POLICE),
    )
    return ExpertProfileFactory(person=person, show_contact=False, phone=HIDDEN_PHONE)


@pytest.fixture
def open_expert():
    person = PersonFactory(
        full_name="Open Regulator",
        email="open.regulator@example.org",
        agency=AgencyFactory(country_id="PE", kind=Agency.Kind.REGULATORY),
    )
    return ExpertProfileFactory(person=person, show_contact=True, phone="+51 1 555 0101")


def everything_shown(client, profile) -> str:
    """The directory list, search, detail, API list and detail, and both vCard exports, as one text."""
    parts = [
        client.get(reverse("network:expert_list")).content.decode(),
        client.get(reverse("network:expert_list"), {"q": profile.person.full_name}).content.decode(),
        client.get(reverse("network:expert_detail", args=[profile.pk])).content.decode(),
        client.get("/api/v1/experts/").content.decode(),
        client.get(f"/api/v1/experts/{profile.pk}/").content.decode(),
        client.get(reverse("network:expert_vcard", args=[profile.pk])).content.decode(),
        client.get(reverse("network:expert_list_vcard")).content.decode(),
    ]
    return "\n".join(parts)


@pytest.mark.parametrize("reader_role", [Role.ADMIN, Role.MANAGER, Role.TRAINER, Role.COUNTERPART])
def test_hidden_contact_details_never_appear_anywhere(client, hidden_expert, open_expert, reader_role):
    client.force_login(make_user(reader_role, "CO"))
    shown = everything_shown(client, hidden_expert)
    # the expert is listed ...
    assert "Hidden Inspector" in shown
    # ... but their e-mail and telephone appear nowhere, not even escaped or split across vCard lines
    unfolded = shown.replace("\r\n ", "")
    for secret in (HIDDEN_EMAIL, "hidden.inspector", HIDDEN_PHONE, "999 0000"):
        assert secret not in unfolded
    # while someone who shows them is fully shown
    assert "open.regulator@example.org" in unfolded
    assert "+51 1 555 0101" in unfolded


def test_hidden_contact_details_cannot_be_probed_by_searching(client, hidden_expert):
    client.force_login(make_user(Role.MANAGER))
    for probe in (HIDDEN_EMAIL, "hidden.inspector", "999 0000"):
        assert client.get(reverse("network:expert_list"), {"q": probe}).context["entries"] == []
        assert client.get("/api/v1/experts/", {"q": probe}).json()["count"] == 0


def test_the_api_says_hidden_contact_details_are_empty(client, hidden_expert):
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    entry = client.get(f"/api/v1/experts/{hidden_expert.pk}/").json()
    assert entry["show_contact"] is False
    assert entry["email"] == "" and entry["phone"] == ""
    assert entry["country"] == "CO" and entry["agency_kind"] == "law_enforcement"


def test_people_who_did_not_opt_in_are_not_in_the_directory(client, hidden_expert):
    ExpertProfile.objects.filter(pk=hidden_expert.pk).update(opted_in=False)
    client.force_login(make_user(Role.MANAGER, "CO"))
    assert "Hidden Inspector" not in client.get(reverse("network:expert_list")).content.decode()
    assert client.get(reverse("network:expert_detail", args=[hidden_expert.pk])).status_code == 404
    assert client.get(reverse("network:expert_vcard", args=[hidden_expert.pk])).status_code == 404
    assert client.get(f"/api/v1/experts/{hidden_expert.pk}/").status_code == 404
    assert client.get("/api/v1/experts/").json()["count"] == 0
    assert "Hidden Inspector" not in client.get(reverse("network:expert_list_vcard")).content.decode()


def test_viewers_who_are_not_network_members_cannot_read_the_directory(client, hidden_expert):
    viewer = make_user(Role.VIEWER, "CO")
    client.force_login(viewer)
    assert client.get(reverse("network:expert_list")).status_code == 403
    assert client.get(reverse("network:expert_list_vcard")).status_code == 403
    assert client.get(reverse("network:expert_detail", args=[hidden_expert.pk])).status_code == 404
    assert client.get("/api/v1/experts/").status_code == 403
    assert client.get(f"/api/v1/experts/{hidden_expert.pk}/").status_code == 404
    # a network member is a member of the community, whatever their role
    NetworkFactory(members=[viewer])
    assert client.get(reverse("network:expert_list")).status_code == 200


def test_signed_out_visitors_see_nothing(client, hidden_expert):
    assert client.get(reverse("network:expert_list")).status_code == 302
    assert client.get("/api/v1/experts/").status_code == 401


def test_an_expert_decides_to_hide_their_contact_details(client):
    # given an expert with an account, listed with their details shown
    user = make_user(Role.COUNTERPART, "PE")
    person = PersonFactory(full_name="Rosa Self", email="rosa.self@example.org", user=user)
    profile = ExpertProfileFactory(person=person, show_contact=True, phone="+51 1 555 7777")
    reader = make_user(Role.MANAGER, "CO")
    client.force_login(reader)
    assert "rosa.self@example.org" in client.get(reverse("network:expert_detail", args=[profile.pk])).content.decode()
    # when the expert turns the details off on their own entry
    client.force_login(user)
    response = client.post(
        reverse("network:expert_me"),
        {"opted_in": "on", "expertise": "licensing", "languages": "es", "phone": "+51 1 555 7777"},
    )
    assert response.status_code == 302
    # then readers no longer see them anywhere
    client.force_login(reader)
    assert "rosa.self" not in everything_shown(client, profile).replace("\r\n ", "")
    assert "555 7777" not in everything_shown(client, profile).replace("\r\n ", "")


def test_an_expert_may_leave_the_directory(client):
    user = make_user(Role.COUNTERPART, "PE")
    profile = ExpertProfileFactory(person=PersonFactory(user=user))
    client.force_login(user)
    client.post(reverse("network:expert_me"), {"expertise": "x"})
    profile.refresh_from_db()
    assert profile.opted_in is False


def test_listing_someone_records_who_recorded_their_consent(client):
    manager = make_user(Role.MANAGER, "PE")
    person = PersonFactory(country_id="PE", agency=AgencyFactory(country_id="PE"))
    client.force_login(manager)
    response = client.post(reverse("network:expert_create"), {"person": person.pk, "opted_in": "on", "expertise": "x"})
    assert response.status_code == 302
    profile = ExpertProfile.objects.get(person=person)
    assert profile.consent_recorded_by == manager and profile.consent_recorded_at is not None


def test_a_manager_cannot_list_a_person_of_another_country(client):
    client.force_login(make_user(Role.MANAGER, "PE"))
    stranger = PersonFactory(agency=AgencyFactory(country_id="CO"))
    response = client.post(reverse("network:expert_create"), {"person": stranger.pk, "opted_in": "on"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ExpertProfile.objects.exists()


def test_the_directory_filters_by_country_agency_kind_and_expertise(client, hidden_expert, open_expert):
    client.force_login(make_user(Role.COUNTERPART, "PE"))

    def names(query):
        return [e.full_name for e in client.get(reverse("network:expert_list"), query).context["entries"]]

    assert names({}) == ["Hidden Inspector", "Open Regulator"]
    assert names({"country": "PE"}) == ["Open Regulator"]
    assert names({"agency_kind": "law_enforcement"}) == ["Hidden Inspector"]
    assert names({"q": "pre-export"}) == ["Hidden Inspector", "Open Regulator"]
    api = client.get("/api/v1/experts/", {"agency_kind": "regulatory"}).json()
    assert [e["full_name"] for e in api["results"]] == ["Open Regulator"]
    assert client.get("/api/v1/experts/", {"agency_kind": "wizard"}).status_code == 400


def test_vcard_text_is_escaped_and_folded_at_75_octets():
    entry = ExpertEntry(
        id=7,
        full_name="Ana María; Pérez, Jr",
        position="a,b;c\\d\ne",
        country_code="PE",
        country_name="Perú",
        agency="",
        agency_acronym="",
        agency_kind="regulatory",
        expertise="",
        languages="ñ" * 100,
        bio="",
        show_contact=False,
        email="",
        phone="",
    )
    card = entry_vcard(entry)
    assert "\r\nTITLE:a\\,b\\;c\\\\d\\ne\r\n" in card
    assert "\r\nFN:Ana María\\; Pérez\\, Jr\r\n" in card
    pieces = card.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    note = card[card.index("NOTE:") :].split("\r\n")
    continued = [piece for piece in note[1:] if piece.startswith(" ")]
    assert len(continued) >= 2
    assert note[0] + "".join(piece[1:] for piece in continued) == "NOTE:" + "ñ" * 100


def test_a_vcard_is_well_formed_version_3(client, open_expert):
    client.force_login(make_user(Role.COUNTERPART, "PE"))
    response = client.get(reverse("network:expert_vcard", args=[open_expert.pk]))
    assert response["Content-Type"].startswith("text/vcard")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert text.endswith("END:VCARD\r\n")
    assert "\nFN:Open Regulator\r\n" in text
    assert "N:Regulator;Open;;;" in text
    assert "EMAIL;TYPE=INTERNET,WORK:open.regulator@example.org" in text
    assert "CATEGORIES:pre-export notifications,inspections" in text
    assert "\n" not in text.replace("\r\n", "")


def test_a_vcard_entry_without_shown_contact_has_no_email_or_tel_lines(hidden_expert):
    reader = make_user(Role.MANAGER)
    entry = directory_entries(directory_queryset(user=reader))[0]
    card = entry_vcard(entry)
    assert "EMAIL" not in card and "TEL" not in card
