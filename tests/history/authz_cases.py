"""The history pages and API, for each role: the own side is an import by the PE manager (and Peru, or
a programme with a Peruvian engagement, for exports), the other an import by a Colombian manager
(and Colombia, or a programme of Colombia only).

Rules these cases pin down:
- only managers and administrators use the history pages (upload, template, exports): 403 for others;
- an import is seen by whoever uploaded it and by administrators, by anyone else not at all (404),
  in the pages and the API alike;
- exports reach the countries a manager manages and the programmes with an engagement there (404
  beyond); administrators reach every one;
- the API takes uploads as multipart only: JSON is refused (415) once the caller may import (403 first).
"""

from django.urls import reverse

from engagements.models import Programme
from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.factories import make_user
from tests.history.factories import make_import

ROLES = ("admin", "manager", "trainer", "counterpart", "viewer")
OTHERS = ("trainer", "counterpart", "viewer")


def importers(ok: int) -> dict:
    """Managers and administrators anywhere; everyone else refused (403)."""
    return {"admin": same(ok), "manager": same(ok), **{role: same(403) for role in OTHERS}}


def owner_and_admins(ok: int) -> dict:
    """The PE manager's import: theirs and the administrators'; anyone else's is not found."""
    return {"admin": same(ok), "manager": (ok, 404), **{role: same(404) for role in OTHERS}}


def scoped_exports(ok: int) -> dict:
    return {"admin": same(ok), "manager": (ok, 404), **{role: same(403) for role in OTHERS}}


def setup(world):
    world.history_import = make_import(world.users["manager"], file_name="own.xlsx")
    world.other_history_import = make_import(make_user("manager", world.other), file_name="other.xlsx")
    world.programme = Programme.objects.create(name="Own programme", code="own-programme")
    world.other_programme = Programme.objects.create(name="Other programme", code="other-programme")
    for engagement, programme in ((world.engagement, world.programme), (world.other_engagement, world.other_programme)):
        engagement.programme = programme
        engagement.save(update_fields=["programme"])


def page(name, attr=None):
    return lambda w, s: reverse(f"history:{name}", args=[obj(w, s, attr).pk] if attr else [])


def api(attr=None):
    return lambda w, s: "/api/v1/imports/" + (f"{obj(w, s, attr).pk}/" if attr else "")


def _case(name, route, method, url, expected, **kwargs):
    return Case(name, route, method, url, expected, setup=setup, **kwargs)


CASES = [
    _case("history imports page", "history:import_list", "GET", page("import_list"), importers(200)),
    # An upload without a file: the form answers with its error (nothing is stored), others 403.
    _case(
        "history upload",
        "history:import_list",
        "POST",
        page("import_list"),
        importers(200),
        data=lambda w, s: {"dry_run": "on"},
    ),
    _case(
        "history import page",
        "history:import_detail",
        "GET",
        page("import_detail", "history_import"),
        owner_and_admins(200),
    ),
    _case(
        "history import progress",
        "history:import_progress",
        "GET",
        page("import_progress", "history_import"),
        owner_and_admins(200),
    ),
    # The dry run's button: only whoever made the dry run confirms it (to the real import's page);
    # administrators see it but may not; anyone else does not see it.
    _case(
        "history import confirm",
        "history:import_confirm",
        "POST",
        page("import_confirm", "history_import"),
        {**owner_and_admins(302), "admin": same(403)},
        data=lambda w, s: {},
    ),
    _case("history template", "history:template", "GET", page("template"), importers(200)),
    _case(
        "history export of a country",
        "history:export",
        "GET",
        lambda w, s: reverse("history:export") + f"?country={w.own if s == 'own' else w.other}",
        scoped_exports(200),
    ),
    _case(
        "history export of a programme",
        "history:export",
        "GET",
        lambda w, s: reverse("history:export") + f"?programme={obj(w, s, 'programme').pk}",
        scoped_exports(200),
    ),
    # API
    _case("API import list", "history-import-list", "GET", api(), {role: same(200) for role in ROLES}, api=True),
    _case("API import detail", "history-import-detail", "GET", api("history_import"), owner_and_admins(200), api=True),
    _case(
        "API import upload (JSON: not multipart)",
        "history-import-list",
        "POST",
        api(),
        importers(415),
        data=lambda w, s: {"dry_run": True},
        api=True,
    ),
]
