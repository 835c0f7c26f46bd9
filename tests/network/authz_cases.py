"""Every page and endpoint of the network layer, for each role, on the own side (PE) and the other (CO).

The world gets: a network coordinated by the PE manager with the PE counterpart as member (and one
with nobody of the world); an event hosted in each country with that country participating, one
registration and one agenda item each; a library document restricted to each country's users; an
expert (the world's person of each country, opted in); an external recommendation per country.

Rules these cases pin down:
- network pages: everyone signed in sees networks; coordinators (and admins) change them;
- library: readers by audience (here: the country's users); managers, coordinators and the
  uploader change documents; managers and coordinators upload;
- events: the countries' users see them; admins, organisers, the network's coordinators and the
  host country's managers change them; users who see people nominate participants;
- directory: every official and network member reads it across countries; viewers do not;
- external recommendations: like engagements (read by the country's users, changed by managers).
"""

from django.urls import reverse

from network.models import AgendaItem
from network.models import EventCertificate
from network.models import Registration
from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.authz import scoped
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.network.factories import EventFactory
from tests.network.factories import ExpertProfileFactory
from tests.network.factories import ExternalRecommendationFactory
from tests.network.factories import NetworkFactory
from tests.network.factories import make_document

ROLES = ("admin", "manager", "trainer", "counterpart", "viewer")
EVERYONE = {role: same(200) for role in ROLES}
READERS = {"admin": same(200), **{role: scoped(200) for role in ROLES if role != "admin"}}


def writers(ok: int) -> dict:
    """Admins anywhere, the PE manager at home; others refused at home (403) and blind abroad (404)."""
    return {
        "admin": same(ok),
        "manager": scoped(ok),
        "trainer": scoped(403),
        "counterpart": scoped(403),
        "viewer": scoped(403),
    }


def creators(ok: int) -> dict:
    return {"admin": same(ok), "manager": same(ok), "trainer": same(403), "counterpart": same(403), "viewer": same(403)}


def setup(world):
    users = world.users
    # Networks: own coordinated by the PE manager with the PE counterpart as member; other by a stranger.
    world.network = NetworkFactory(coordinators=[users["manager"]], members=[users["counterpart"]])
    world.network_member = users["counterpart"]
    world.other_network_member = make_user("counterpart", "CO")
    world.other_network = NetworkFactory(
        coordinators=[make_user("manager", "CO")], members=[world.other_network_member]
    )
    # The PE counterpart is also a person of the portal (for self-service pages).
    world.counterpart_person = PersonFactory(agency=world.agency, user=users["counterpart"])
    # Events hosted in each country, one registration and one agenda item each.
    world.event = EventFactory(host_country_id=world.own, countries=[world.own], title="Own meeting")
    world.other_event = EventFactory(host_country_id=world.other, countries=[world.other], title="Other meeting")
    for side in ("", "other_"):
        event = getattr(world, f"{side}event")
        setattr(
            world,
            f"{side}registration",
            Registration.objects.create(event=event, person=getattr(world, f"{side}person")),
        )
        setattr(
            world, f"{side}agenda_item", AgendaItem.objects.create(event=event, day=event.start_date, title="Opening")
        )
        registration = getattr(world, f"{side}registration")
        registration.attended = True
        registration.save(update_fields=["attended"])
        setattr(world, f"{side}event_certificate", EventCertificate.objects.create(registration=registration))
        setattr(world, f"{side}guest", PersonFactory(agency=getattr(world, f"{side}agency")))
    # Library documents for each country's users, uploaded by a manager of that country.
    world.document = make_document(
        by=make_user("manager", world.own), title="Own rules", audience="country", audience_country_id=world.own
    )
    world.other_document = make_document(
        by=make_user("manager", world.other), title="Other rules", audience="country", audience_country_id=world.other
    )
    world.expert = ExpertProfileFactory(person=world.person)
    world.other_expert = ExpertProfileFactory(person=world.other_person)
    world.external_recommendation = ExternalRecommendationFactory(country_id=world.own)
    world.other_external_recommendation = ExternalRecommendationFactory(country_id=world.other)


def page(name, *attrs):
    """The URL of a named page, with the pk of the world's object(s) for the side."""
    return lambda w, s: reverse(f"network:{name}", args=[obj(w, s, attr).pk for attr in attrs])


def api(path, attr=None, suffix=""):
    return lambda w, s: f"/api/v1/{path}/" + (f"{obj(w, s, attr).pk}/{suffix}" if attr else "")


def _case(name, route, url, expected, **kwargs):
    return Case(name, route, kwargs.pop("method", "GET"), url, expected, setup=setup, **kwargs)


def _post(name, route, url, expected, data=None, **kwargs):
    return _case(name, route, url, expected, method="POST", data=data or (lambda w, s: {}), **kwargs)


DIRECTORY_READERS = {"admin": same(200), "manager": same(200), "trainer": same(200), "counterpart": same(200)}

CASES = [
    # Overview and networks
    _case("network overview page", "network:home", page("home"), EVERYONE),
    _case("network list page", "network:network_list", page("network_list"), EVERYONE),
    _case("network create page", "network:network_create", page("network_create"), creators(200)),
    _case("network detail page", "network:network_detail", page("network_detail", "network"), EVERYONE),
    _case(
        "network edit page",
        "network:network_edit",
        page("network_edit", "network"),
        {
            "admin": same(200),
            "manager": (200, 403),
            "trainer": same(403),
            "counterpart": same(403),
            "viewer": same(403),
        },
    ),
    _post(
        "network member add",
        "network:network_member_add",
        page("network_member_add", "network"),
        {
            "admin": same(302),
            "manager": (302, 403),
            "trainer": same(403),
            "counterpart": same(403),
            "viewer": same(403),
        },
        data=lambda w, s: {"user": w.users["trainer"].pk},
    ),
    _post(
        "network member remove",
        "network:network_member_remove",
        lambda w, s: reverse(
            "network:network_member_remove", args=[obj(w, s, "network").pk, obj(w, s, "network_member").pk]
        ),
        {
            "admin": same(302),
            "manager": (302, 403),
            "trainer": same(403),
            "counterpart": same(403),
            "viewer": same(403),
        },
    ),
    # Library
    _case("document list page", "network:document_list", page("document_list"), EVERYONE),
    _case("document create page", "network:document_create", page("document_create"), creators(200)),
    _case("document detail page", "network:document_detail", page("document_detail", "document"), READERS),
    _case("document edit page", "network:document_edit", page("document_edit", "document"), writers(200)),
    _case("document replace page", "network:document_replace", page("document_replace", "document"), writers(200)),
    _case("document download", "network:document_download", page("document_download", "document"), READERS),
    _case(
        "document version download",
        "network:document_version_download",
        lambda w, s: reverse("network:document_version_download", args=[obj(w, s, "document").pk, 1]),
        READERS,
    ),
    # Events
    _case("event list page", "network:event_list", page("event_list"), EVERYONE),
    _case("event create page", "network:event_create", page("event_create"), creators(200)),
    _case("event detail page", "network:event_detail", page("event_detail", "event"), READERS),
    _case("event calendar file", "network:event_ics", page("event_ics", "event"), READERS),
    _case("event edit page", "network:event_edit", page("event_edit", "event"), writers(200)),
    _case("event agenda page", "network:event_agenda", page("event_agenda", "event"), writers(200)),
    _post(
        "event agenda item delete",
        "network:event_agenda_delete",
        page("event_agenda_delete", "event", "agenda_item"),
        writers(302),
    ),
    _case("event conclusions page", "network:event_outcomes", page("event_outcomes", "event"), writers(200)),
    _case("event attendance page", "network:event_attendance", page("event_attendance", "event"), writers(200)),
    _post("event invitations", "network:event_send_invitations", page("event_send_invitations", "event"), writers(302)),
    _case("event certificates page", "network:event_certificates", page("event_certificates", "event"), writers(200)),
    _post("issue event certificates", "network:event_certificates", page("event_certificates", "event"), writers(302)),
    _post(
        "prepare an event certificate's PDF",
        "network:event_certificate_pdf",
        page("event_certificate_pdf", "event", "event_certificate"),
        writers(302),
    ),
    _case(
        "revoke event certificate page",
        "network:event_certificate_revoke",
        page("event_certificate_revoke", "event", "event_certificate"),
        writers(200),
    ),
    _post(
        "revoke event certificate",
        "network:event_certificate_revoke",
        page("event_certificate_revoke", "event", "event_certificate"),
        writers(302),
        data=lambda w, s: {"reason": "The participant left on the first morning."},
    ),
    _case(
        "public check of an event certificate",
        "reports:verify",
        lambda w, s: reverse("reports:verify", args=[obj(w, s, "event_certificate").code]),
        EVERYONE,
        anonymous=200,
    ),
    _case(
        "event registration page",
        "network:event_register",
        page("event_register", "event"),
        {**READERS, "viewer": scoped(403)},
    ),
    _post(
        "event self-registration",
        "network:event_register_me",
        page("event_register_me", "event"),
        {
            "admin": same(403),
            "manager": scoped(403),
            "trainer": scoped(403),
            "counterpart": scoped(302),
            "viewer": scoped(403),
        },
    ),
    _post(
        "event registration cancel",
        "network:registration_cancel",
        page("registration_cancel", "event", "registration"),
        {
            "admin": same(302),
            "manager": scoped(302),
            "trainer": scoped(302),
            "counterpart": scoped(302),
            "viewer": scoped(403),
        },
    ),
    # Expert directory
    _case(
        "expert directory page", "network:expert_list", page("expert_list"), {**DIRECTORY_READERS, "viewer": same(403)}
    ),
    _case(
        "expert directory vCard export",
        "network:expert_list_vcard",
        page("expert_list_vcard"),
        {**DIRECTORY_READERS, "viewer": same(403)},
    ),
    _case(
        "expert page",
        "network:expert_detail",
        page("expert_detail", "expert"),
        {**DIRECTORY_READERS, "viewer": same(404)},
    ),
    _case(
        "expert vCard",
        "network:expert_vcard",
        page("expert_vcard", "expert"),
        {**DIRECTORY_READERS, "viewer": same(404)},
    ),
    _case(
        "expert edit page",
        "network:expert_edit",
        page("expert_edit", "expert"),
        {
            "admin": same(200),
            "manager": (200, 403),
            "trainer": (200, 403),
            "counterpart": same(403),
            "viewer": same(404),
        },
    ),
    _case(
        "expert create page",
        "network:expert_create",
        page("expert_create"),
        {**creators(200), "trainer": same(200)},
    ),
    _case(
        "own directory entry page",
        "network:expert_me",
        page("expert_me"),
        {"admin": same(404), "manager": same(404), "trainer": same(404), "counterpart": same(200), "viewer": same(404)},
    ),
    # External recommendations
    _case(
        "external recommendation list page",
        "network:external_recommendation_list",
        page("external_recommendation_list"),
        EVERYONE,
    ),
    _case(
        "external recommendation create page",
        "network:external_recommendation_create",
        page("external_recommendation_create"),
        creators(200),
    ),
    _case(
        "external recommendation page",
        "network:external_recommendation_detail",
        page("external_recommendation_detail", "external_recommendation"),
        READERS,
    ),
    _case(
        "external recommendation edit page",
        "network:external_recommendation_edit",
        page("external_recommendation_edit", "external_recommendation"),
        writers(200),
    ),
    # API: documents
    _case("API document list", "document-list", api("documents"), EVERYONE, api=True),
    _case("API document detail", "document-detail", api("documents", "document"), READERS, api=True),
    _case("API document download", "document-download", api("documents", "document", "download/"), READERS, api=True),
    _case(
        "API document version download",
        "document-version-download",
        api("documents", "document", "versions/1/download/"),
        READERS,
        api=True,
    ),
    _case(
        "API document change",
        "document-detail",
        api("documents", "document"),
        writers(200),
        method="PATCH",
        data=lambda w, s: {"title": "Renamed"},
        api=True,
    ),
    # JSON carries no file: those who may upload get the missing-file error, the others 403 first.
    _post(
        "API document create",
        "document-list",
        api("documents"),
        creators(400),
        data=lambda w, s: {"title": "New", "audience": "everyone"},
        api=True,
    ),
    # API: events
    _case("API event list", "event-list", api("events"), EVERYONE, api=True),
    _case("API event detail", "event-detail", api("events", "event"), READERS, api=True),
    _case(
        "API event participation", "event-participation", api("events", "event", "participation/"), READERS, api=True
    ),
    _case(
        "API event change",
        "event-detail",
        api("events", "event"),
        writers(200),
        method="PATCH",
        data=lambda w, s: {"description": "Agenda attached."},
        api=True,
    ),
    _post(
        "API event create",
        "event-list",
        api("events"),
        creators(201),
        data=lambda w, s: {
            "title": "Forum",
            "kind": "dialogue_forum",
            "start_date": "2026-09-01",
            "end_date": "2026-09-01",
        },
        api=True,
    ),
    _post(
        "API event participant registration",
        "event-participants",
        api("events", "event", "participants/"),
        {**{role: scoped(201) for role in ROLES}, "admin": same(201), "viewer": scoped(403)},
        data=lambda w, s: {"person": obj(w, s, "guest").pk},
        api=True,
    ),
    _post(
        "API event attendance",
        "event-attendance",
        api("events", "event", "attendance/"),
        writers(200),
        data=lambda w, s: {"attended": [obj(w, s, "registration").pk]},
        api=True,
    ),
    # API: external recommendations
    _case(
        "API external recommendation list",
        "external-recommendation-list",
        api("external-recommendations"),
        EVERYONE,
        api=True,
    ),
    _case(
        "API external recommendation detail",
        "external-recommendation-detail",
        api("external-recommendations", "external_recommendation"),
        READERS,
        api=True,
    ),
    _case(
        "API external recommendation change",
        "external-recommendation-detail",
        api("external-recommendations", "external_recommendation"),
        writers(200),
        method="PATCH",
        data=lambda w, s: {"theme": "Control measures"},
        api=True,
    ),
    _post(
        "API external recommendation create",
        "external-recommendation-list",
        api("external-recommendations"),
        {
            "admin": same(201),
            "manager": (201, 400),
            "trainer": same(403),
            "counterpart": same(403),
            "viewer": same(403),
        },
        data=lambda w, s: {
            "country": w.own if s == "own" else w.other,
            "source": "honlea",
            "round": "HONLEA Americas, 33rd meeting",
            "date": "2025-10-09",
            "text": "Share seizure data every quarter.",
        },
        api=True,
    ),
    # API: directory and networks
    _case("API expert list", "expert-list", api("experts"), {**DIRECTORY_READERS, "viewer": same(403)}, api=True),
    _case(
        "API expert detail",
        "expert-detail",
        api("experts", "expert"),
        {**DIRECTORY_READERS, "viewer": same(404)},
        api=True,
    ),
    _case("API network list", "network-list", api("networks"), EVERYONE, api=True),
    _case("API network detail", "network-detail", api("networks", "network"), EVERYONE, api=True),
]
