from django.urls import reverse

from engagements.models import ControlledSubstance
from engagements.models import Programme
from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.authz import scoped

# Readers of engagement data: everyone with a role in the country. Writers: admin, manager.
READ_ALL_WRITE_MANAGERS = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": scoped(200),
    "counterpart": scoped(200),
    "viewer": scoped(200),
}
EDIT_PAGE = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": scoped(403),
    "counterpart": scoped(403),
    "viewer": scoped(403),
}
CREATE_PAGE = {
    "admin": same(200),
    "manager": same(200),
    "trainer": same(403),
    "counterpart": same(403),
    "viewer": same(403),
}
LIST = {role: same(200) for role in ("admin", "manager", "trainer", "counterpart", "viewer")}
# Posting a new record: saved (302) at home; another country is refused by the form (200, re-shown
# with the error, nothing saved); roles that may not write are refused outright (403).
CREATE_POST = {
    "admin": same(302),
    "manager": (302, 200),
    "trainer": same(403),
    "counterpart": same(403),
    "viewer": same(403),
}
API_CREATE = {
    "admin": same(201),
    "manager": (201, 400),
    "trainer": same(403),
    "counterpart": same(403),
    "viewer": same(403),
}


def _country(world, side):
    return world.own if side == "own" else world.other


def _engagement_post(world, side):
    return {"country": _country(world, side), "title": "Posted", "phase": "planning", "start_date": "2026-01-05"}


def _phase_change_post(world, side):
    engagement = obj(world, side, "engagement")
    return {
        "country": _country(world, side),
        "title": engagement.title,
        "phase": "roundtable",
        "start_date": engagement.start_date.isoformat(),
        "phase_changed_on": "2025-06-02",
    }


def _advance_post(world, side):
    return {"to_phase": "roundtable", "reason": "The roundtable was held."}


def _agency_post(world, side):
    return {"country": _country(world, side), "name": "Posted agency", "kind": "customs"}


def _person_post(world, side):
    return {"full_name": "Posted Person", "sex": "female", "country": _country(world, side)}


def _add_programme(world):
    world.programme = Programme.objects.create(name="Programme", code="programme")


# What a programme's certificates print: managers of a country where it has an engagement, and admins.
PROGRAMME_CERTIFICATES = {
    "admin": same(200),
    "manager": scoped(200),
    "trainer": same(403),
    "counterpart": same(403),
    "viewer": same(403),
}


def with_programmes(world):
    """A programme with the own country's engagement, another with the other country's."""
    for side in ("", "other_"):
        programme = Programme.objects.create(name=f"{side}programme", code=f"{side}programme".replace("_", "-"))
        setattr(world, f"{side}programme", programme)
        engagement = getattr(world, f"{side}engagement")
        engagement.programme = programme
        engagement.save(update_fields=["programme"])


def _programme_certificates_url(world, side):
    return reverse("engagements:programme_certificates", args=[obj(world, side, "programme").code])


def with_national_substances(world):
    """A substance on the own country's national list, another on the other country's."""
    for side, country in (("", world.own), ("other_", world.other)):
        substance = ControlledSubstance.objects.create(name=f"{side}national substance", listing="national")
        substance.countries.add(country)
        setattr(world, f"{side}substance", substance)


def _engagement_patch(world, side):
    return {"title": "Renamed"}


CASES = [
    Case("engagement list page", "engagements:list", "GET", lambda w, s: reverse("engagements:list"), LIST),
    Case(
        "engagement detail page",
        "engagements:detail",
        "GET",
        lambda w, s: reverse("engagements:detail", args=[obj(w, s, "engagement").pk]),
        READ_ALL_WRITE_MANAGERS,
    ),
    Case(
        "engagement edit page",
        "engagements:edit",
        "GET",
        lambda w, s: reverse("engagements:edit", args=[obj(w, s, "engagement").pk]),
        EDIT_PAGE,
    ),
    Case(
        "engagement create page", "engagements:create", "GET", lambda w, s: reverse("engagements:create"), CREATE_PAGE
    ),
    Case(
        "engagement create form posted",
        "engagements:create",
        "POST",
        lambda w, s: reverse("engagements:create"),
        CREATE_POST,
        data=_engagement_post,
    ),
    Case(
        "engagement edit form posted",
        "engagements:edit",
        "POST",
        lambda w, s: reverse("engagements:edit", args=[obj(w, s, "engagement").pk]),
        {**EDIT_PAGE, "admin": same(302), "manager": scoped(302)},
        data=_engagement_post,
    ),
    Case(
        "engagement change of phase of the past posted",
        "engagements:edit",
        "POST",
        lambda w, s: reverse("engagements:edit", args=[obj(w, s, "engagement").pk]),
        {**EDIT_PAGE, "admin": same(302), "manager": scoped(302)},
        data=_phase_change_post,
    ),
    Case(
        "engagement moved on from the home page's suggestion",
        "engagements:advance",
        "POST",
        lambda w, s: reverse("engagements:advance", args=[obj(w, s, "engagement").pk]),
        {**EDIT_PAGE, "admin": same(302), "manager": scoped(302)},
        data=_advance_post,
    ),
    Case("agency list page", "engagements:agency_list", "GET", lambda w, s: reverse("engagements:agency_list"), LIST),
    Case(
        "agency create page",
        "engagements:agency_create",
        "GET",
        lambda w, s: reverse("engagements:agency_create"),
        CREATE_PAGE,
    ),
    Case(
        "agency edit page",
        "engagements:agency_edit",
        "GET",
        lambda w, s: reverse("engagements:agency_edit", args=[obj(w, s, "agency").pk]),
        EDIT_PAGE,
    ),
    Case(
        "agency create form posted",
        "engagements:agency_create",
        "POST",
        lambda w, s: reverse("engagements:agency_create"),
        CREATE_POST,
        data=_agency_post,
    ),
    Case(
        "agency edit form posted",
        "engagements:agency_edit",
        "POST",
        lambda w, s: reverse("engagements:agency_edit", args=[obj(w, s, "agency").pk]),
        {**EDIT_PAGE, "admin": same(302), "manager": scoped(302)},
        data=lambda w, s: {**_agency_post(w, s), "name": "Renamed agency"},
    ),
    Case(
        "people list page",
        "engagements:person_list",
        "GET",
        lambda w, s: reverse("engagements:person_list"),
        {**LIST, "viewer": same(403)},
    ),
    Case(
        "person create page",
        "engagements:person_create",
        "GET",
        lambda w, s: reverse("engagements:person_create"),
        {**CREATE_PAGE, "trainer": same(200)},
    ),
    Case(
        "person edit page",
        "engagements:person_edit",
        "GET",
        lambda w, s: reverse("engagements:person_edit", args=[obj(w, s, "person").pk]),
        {**EDIT_PAGE, "trainer": scoped(200), "viewer": same(404)},
    ),
    Case(
        "person create form posted",
        "engagements:person_create",
        "POST",
        lambda w, s: reverse("engagements:person_create"),
        {**CREATE_POST, "trainer": (302, 200)},
        data=_person_post,
    ),
    Case(
        "person edit form posted",
        "engagements:person_edit",
        "POST",
        lambda w, s: reverse("engagements:person_edit", args=[obj(w, s, "person").pk]),
        {**EDIT_PAGE, "admin": same(302), "manager": scoped(302), "trainer": scoped(302), "viewer": same(404)},
        data=lambda w, s: {**_person_post(w, s), "agency": obj(w, s, "agency").pk},
    ),
    # API
    Case("API engagement list", "engagement-list", "GET", lambda w, s: "/api/v1/engagements/", LIST, api=True),
    Case(
        "API engagement detail",
        "engagement-detail",
        "GET",
        lambda w, s: f"/api/v1/engagements/{obj(w, s, 'engagement').pk}/",
        READ_ALL_WRITE_MANAGERS,
        api=True,
    ),
    Case(
        "API engagement change",
        "engagement-detail",
        "PATCH",
        lambda w, s: f"/api/v1/engagements/{obj(w, s, 'engagement').pk}/",
        EDIT_PAGE,
        api=True,
        data=_engagement_patch,
    ),
    Case(
        "API engagement change of phase of the past",
        "engagement-detail",
        "PATCH",
        lambda w, s: f"/api/v1/engagements/{obj(w, s, 'engagement').pk}/",
        EDIT_PAGE,
        api=True,
        data=lambda w, s: {"phase": "roundtable", "phase_changed_on": "2025-06-02"},
    ),
    Case(
        "API engagement create",
        "engagement-list",
        "POST",
        lambda w, s: "/api/v1/engagements/",
        {
            "admin": same(201),
            "manager": (201, 400),
            "trainer": same(403),
            "counterpart": same(403),
            "viewer": same(403),
        },
        api=True,
        data=_engagement_post,
    ),
    Case(
        "API agency list",
        "agency-list",
        "GET",
        lambda w, s: f"/api/v1/agencies/?country={_country(w, s)}",
        LIST,
        api=True,
    ),
    Case(
        "API agency create",
        "agency-list",
        "POST",
        lambda w, s: "/api/v1/agencies/",
        API_CREATE,
        api=True,
        data=_agency_post,
    ),
    Case(
        "API people list",
        "person-list",
        "GET",
        lambda w, s: f"/api/v1/people/?country={_country(w, s)}",
        {**LIST, "viewer": same(403)},
        api=True,
    ),
    Case(
        "API person create",
        "person-list",
        "POST",
        lambda w, s: "/api/v1/people/",
        {**API_CREATE, "trainer": (201, 400)},
        api=True,
        data=_person_post,
    ),
    Case("API country list", "country-list", "GET", lambda w, s: "/api/v1/countries/", LIST, api=True),
    Case("API programme list", "programme-list", "GET", lambda w, s: "/api/v1/programmes/", LIST, api=True),
    Case(
        "API programme detail",
        "programme-detail",
        "GET",
        lambda w, s: f"/api/v1/programmes/{w.programme.pk}/",
        LIST,
        api=True,
        setup=_add_programme,
    ),
    Case(
        "API agency detail",
        "agency-detail",
        "GET",
        lambda w, s: f"/api/v1/agencies/{obj(w, s, 'agency').pk}/",
        READ_ALL_WRITE_MANAGERS,
        api=True,
    ),
    Case(
        "API agency change",
        "agency-detail",
        "PATCH",
        lambda w, s: f"/api/v1/agencies/{obj(w, s, 'agency').pk}/",
        EDIT_PAGE,
        api=True,
        data=lambda w, s: {"acronym": "NEW"},
    ),
    Case(
        "API person detail",
        "person-detail",
        "GET",
        lambda w, s: f"/api/v1/people/{obj(w, s, 'person').pk}/",
        {**READ_ALL_WRITE_MANAGERS, "viewer": same(404)},
        api=True,
    ),
    Case(
        "API person change",
        "person-detail",
        "PATCH",
        lambda w, s: f"/api/v1/people/{obj(w, s, 'person').pk}/",
        {**EDIT_PAGE, "trainer": scoped(200), "viewer": same(404)},
        api=True,
        data=lambda w, s: {"position": "Chief"},
    ),
    Case(
        "API country detail",
        "country-detail",
        "GET",
        lambda w, s: f"/api/v1/countries/{w.own if s == 'own' else w.other}/",
        LIST,
        api=True,
    ),
    Case(
        "programme certificate settings page",
        "engagements:programme_certificates",
        "GET",
        _programme_certificates_url,
        PROGRAMME_CERTIFICATES,
        setup=with_programmes,
    ),
    Case(
        "programme certificate settings save",
        "engagements:programme_certificates",
        "POST",
        _programme_certificates_url,
        {role: tuple(302 if s == 200 else s for s in pair) for role, pair in PROGRAMME_CERTIFICATES.items()},
        data=lambda w, s: {"certificate_issuer": "OAS · CICAD", "signatory_1_name": "Ana Ruiz"},
        setup=with_programmes,
    ),
    # Reference data: the Convention's tables for everyone signed in; a national listing for those
    # with a role in its country (read-only: no write method is routed).
    Case("controlled substances page", "engagements:substance_list", "GET", lambda w, s: "/substances/", LIST),
    Case("API substance list", "substance-list", "GET", lambda w, s: "/api/v1/substances/", LIST, api=True),
    Case(
        "API national substance detail",
        "substance-detail",
        "GET",
        lambda w, s: f"/api/v1/substances/{obj(w, s, 'substance').pk}/",
        READ_ALL_WRITE_MANAGERS,
        api=True,
        setup=with_national_substances,
    ),
    Case(
        "API substance change refused",
        "substance-detail",
        "PATCH",
        lambda w, s: f"/api/v1/substances/{obj(w, s, 'substance').pk}/",
        {role: same(405) for role in READ_ALL_WRITE_MANAGERS},
        api=True,
        data=lambda w, s: {"name": "Renamed"},
        setup=with_national_substances,
    ),
]
