"""Search: only what each user may see, ranked and highlighted, in the four languages; the page and
the API; a bounded number of queries."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from followups.models import Measure
from network.models import Document
from search import selectors
from search.selectors import LIMIT
from search.selectors import search_for_user
from ta_portal.fulltext import MARK_START
from ta_portal.fulltext import MARK_STOP
from ta_portal.fulltext import marked_html
from tests.factories import EngagementFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.network.factories import NetworkFactory
from tests.network.factories import make_document

from .factories import WORD
from .factories import build_corpus


@pytest.fixture
def corpus(world):
    return build_corpus(world)


def found(user, query=WORD, **options) -> set[tuple[str, int]]:
    return {(hit.kind, hit.id) for hit in search_for_user(user=user, query=query, **options)}


def records(side, *names) -> set[tuple[str, int]]:
    return {side[name] for name in names}


EVERY_KIND = (
    "engagement",
    "finding",
    "draft finding",
    "recommendation",
    "measure",
    "update",
    "draft update",
    "person",
    "expert",
    "document",
    "managers document",
    "country document",
)


# Scope ------------------------------------------------------------------------------------------


def test_an_administrator_finds_every_kind_in_every_country(world, corpus):
    expected = records(corpus["PE"], *EVERY_KIND) | records(corpus["CO"], *EVERY_KIND)
    assert found(world.users["admin"]) == expected


def test_a_manager_finds_everything_of_their_country_and_only_the_shared_records_of_another(world, corpus):
    own = records(corpus["PE"], *EVERY_KIND)
    # The expert directory is open to every country, and documents for everyone or for managers too.
    other = records(corpus["CO"], "expert", "document", "managers document")
    assert found(world.users["manager"]) == own | other


def test_a_counterpart_finds_their_countrys_work_once_shared_and_never_drafts_of_assessments(world, corpus):
    own = records(
        corpus["PE"],
        "engagement",
        "finding",
        "recommendation",
        "measure",
        "update",
        "draft update",  # the country's counterparts write drafts together
        "person",
        "expert",
        "document",
        "country document",
    )
    other = records(corpus["CO"], "expert", "document")
    assert found(world.users["counterpart"]) == own | other


def test_a_viewer_finds_figures_sources_but_no_people_nor_assessment_texts_nor_drafts(world, corpus):
    own = records(corpus["PE"], "engagement", "measure", "update", "document", "country document")
    assert found(world.users["viewer"]) == own | records(corpus["CO"], "document")


def test_a_user_of_another_country_finds_nothing_of_this_one(world, corpus):
    colombian_manager = make_user(Role.MANAGER, "CO")
    result = found(colombian_manager)
    assert not result & records(corpus["PE"], "engagement", "finding", "recommendation", "measure", "update", "person")
    assert corpus["CO"]["measure"] in result


def test_a_user_without_any_role_finds_only_what_everyone_signed_in_may_read(world, corpus):
    outsider = make_user(Role.VIEWER)
    outsider.memberships.all().delete()
    assert found(outsider) == records(corpus["PE"], "document") | records(corpus["CO"], "document")


def test_a_network_member_finds_the_documents_of_their_network(world, corpus):
    member = make_user(Role.VIEWER)
    member.memberships.all().delete()
    network = NetworkFactory(members=[member])
    document = make_document(
        by=world.users["admin"],
        title=f"{WORD} members' paper",
        audience=Document.Audience.NETWORK,
        audience_network=network,
    )
    assert ("document", document.pk) in found(member)
    assert ("document", document.pk) not in found(world.users["counterpart"])


def test_one_kind_only(world, corpus):
    assert found(world.users["admin"], kind="measure") == records(corpus["PE"], "measure") | records(
        corpus["CO"], "measure"
    )


# Ranking and highlighting ---------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_match_in_the_text_and_the_snippet_marks_the_words(world):
    admin = world.users["admin"]
    in_text = make_measure(
        world.engagement, title="Adopt a plan", description="The plan covers acetone and its storage.", by=admin
    )
    in_title = make_measure(world.engagement, title="Acetone storage inspections", by=admin)
    hits = search_for_user(user=admin, query="acetone", kind="measure", language="en")
    assert [hit.id for hit in hits] == [in_title.pk, in_text.pk]
    assert "<mark>acetone</mark>" in hits[1].snippet


def test_the_snippet_escapes_the_text_and_marks_only_the_matches(world):
    admin = world.users["admin"]
    make_measure(
        world.engagement,
        title="Scripts",
        description='Store acetone <img src=x onerror=alert(1)> at 5 < 7 "degrees" & dry',
        by=admin,
    )
    (hit,) = search_for_user(user=admin, query="acetone", kind="measure", language="en")
    assert "<mark>acetone</mark>" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_marked_html_escapes_everything_but_the_marks():
    text = f"<script>alert(1)</script> {MARK_START}a&b{MARK_STOP} {MARK_START}unclosed <i>"
    html = marked_html(text)
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>a&amp;b</mark> unclosed &lt;i&gt;"
    assert marked_html(f"{MARK_STOP}stray") == "stray"


def test_results_are_limited(world):
    admin = world.users["admin"]
    Measure.objects.bulk_create(
        [Measure(engagement=world.engagement, title=f"Acetone measure {n}") for n in range(LIMIT + 5)]
    )
    assert len(search_for_user(user=admin, query="acetone")) == LIMIT


def test_an_empty_query_finds_nothing_and_reads_nothing(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert search_for_user(user=world.users["admin"], query="   ") == []


# Languages (PostgreSQL's configurations) --------------------------------------------------------------

LANGUAGE_CASES = [
    # language, text, query: the query's word is another form of the text's
    ("es", "Fortalecer las inspecciones de operadores", "inspección"),
    ("es", "Adoptar medidas de control", "medida"),
    ("pt", "Reforçar as fiscalizações das empresas", "fiscalização"),
    ("fr", "Former les brigades douanières", "douanier"),
    ("en", "Strengthen the inspections of operators", "inspection"),
]


@pytest.mark.parametrize(("language", "text", "query"), LANGUAGE_CASES)
def test_each_language_finds_other_forms_of_a_word(world, language, text, query):
    assert connection.vendor == "postgresql"
    measure = make_measure(world.engagement, title=text, by=world.users["admin"])
    hits = search_for_user(user=world.users["admin"], query=query, kind="measure", language=language)
    assert [hit.id for hit in hits] == [measure.pk]
    assert "<mark>" in str(hits[0].snippet) or hits[0].title == text


def test_another_languages_stemming_does_not_apply_but_the_word_as_written_still_matches(world):
    measure = make_measure(world.engagement, title="Reforçar as fiscalizações das empresas", by=world.users["admin"])
    admin = world.users["admin"]
    assert search_for_user(user=admin, query="fiscalização", kind="measure", language="en") == []
    assert [hit.id for hit in search_for_user(user=admin, query="fiscalizações", kind="measure", language="en")] == [
        measure.pk
    ]


ACCENT_CASES = [
    # language of the page, text, query typed without (or with) the text's accents, the word marked
    ("es", "Mesa de coordinación interinstitucional", "coordinacion", "coordinación"),
    ("es", "Reunion tecnica con la aduana", "reunión técnica", "Reunion"),
    ("pt", "Reforçar a fiscalização das empresas", "fiscalizacao", "fiscalização"),
    ("fr", "Renforcer la sécurité des douanes", "securite", "sécurité"),
    ("en", "Mesa de coordinación interinstitucional", "coordinacion", "coordinación"),
]


@pytest.mark.parametrize(("language", "text", "query", "marked"), ACCENT_CASES)
def test_accents_typed_or_not_find_the_same_words_and_the_written_word_is_marked(world, language, text, query, marked):
    measure = make_measure(world.engagement, title=text, description=text, by=world.users["admin"])
    hits = search_for_user(user=world.users["admin"], query=query, kind="measure", language=language)
    assert [hit.id for hit in hits] == [measure.pk]
    assert f"<mark>{marked}</mark>" in str(hits[0].snippet)


def test_a_documents_stored_vector_folds_accents_too(world):
    admin = world.users["admin"]
    document = make_document(by=admin, title="Évaluation de la sécurité portuaire", language="fr")
    assert found(admin, "evaluation securite", language="fr") == {("document", document.pk)}
    assert found(admin, "securite", language="es") == {("document", document.pk)}


def test_the_active_language_is_the_default(world, settings):
    from django.utils import translation  # noqa: PLC0415

    measure = make_measure(world.engagement, title="Reforçar as fiscalizações", by=world.users["admin"])
    with translation.override("pt"):
        assert [hit.id for hit in search_for_user(user=world.users["admin"], query="fiscalização")] == [measure.pk]


def test_a_document_is_stemmed_in_its_own_language_and_found_word_for_word_in_any(world):
    admin = world.users["admin"]
    document = make_document(by=admin, title="Guía de inspecciones", language="es")
    assert found(admin, "inspección", language="es") == {("document", document.pk)}
    assert found(admin, "inspecciones", language="fr") == {("document", document.pk)}


# Without PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
def without_full_text(monkeypatch):
    """The simpler search SQLite gets (every word in some field, case-insensitive), here on PostgreSQL."""
    monkeypatch.setattr(selectors, "full_text_search", lambda: False)


def test_without_full_text_search_every_kind_is_still_found_within_the_same_scope(world, corpus, without_full_text):
    expected = records(corpus["PE"], "engagement", "measure", "update", "document", "country document")
    assert found(world.users["viewer"], WORD.upper()) == expected | records(corpus["CO"], "document")
    assert found(world.users["admin"]) == records(corpus["PE"], *EVERY_KIND) | records(corpus["CO"], *EVERY_KIND)


def test_without_full_text_search_every_word_must_appear_and_the_snippet_marks_them(world, without_full_text):
    admin = world.users["admin"]
    measure = make_measure(
        world.engagement, title="Plan", description="Store <b>acetone</b> and Toluene apart", by=admin
    )
    make_measure(world.engagement, title="Other", description="Store acetone only", by=admin)
    (hit,) = search_for_user(user=admin, query="acetone toluene", kind="measure")
    assert hit.id == measure.pk
    assert hit.snippet == "Store &lt;b&gt;<mark>acetone</mark>&lt;/b&gt; and <mark>Toluene</mark> apart"


# Performance -------------------------------------------------------------------------------------


def _grow(world, n: int) -> None:
    admin = world.users["admin"]
    for index in range(n):
        engagement = EngagementFactory(country_id=world.own, title=f"Kestrel engagement {index}")
        make_measure(engagement, title=f"Kestrel measure {index}", by=admin)
        make_document(by=admin, title=f"Kestrel paper {index}")


@pytest.mark.parametrize("role", ["admin", "manager", "counterpart", "viewer"])
def test_the_number_of_queries_does_not_grow_with_the_data(world, corpus, role, django_assert_max_num_queries):
    user = world.users[role]
    search_for_user(user=user, query=WORD)  # the user's memberships are read once, then kept
    from django.db import connection as db  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(db) as small:
        search_for_user(user=user, query=WORD)
    _grow(world, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        search_for_user(user=user, query=WORD)
    assert len(small.captured_queries) <= 12


# Page and API -------------------------------------------------------------------------------------


def test_the_results_page_lists_the_hits_with_their_kind_and_link(client, world, corpus):
    client.force_login(world.users["counterpart"])
    response = client.get(reverse("search:results"), {"q": WORD})
    assert response.status_code == 200
    html = response.content.decode()
    measure = Measure.objects.get(pk=corpus["PE"]["measure"][1])
    assert f'href="{measure.get_absolute_url()}"' in html
    assert f"<mark>{WORD}</mark>" in html.lower()
    assert "Other engagement" not in html


def test_the_results_page_without_words_shows_the_form_only(client, world):
    client.force_login(world.users["viewer"])
    response = client.get(reverse("search:results"))
    assert response.status_code == 200
    assert b'role="search"' in response.content
    assert b"results-heading" not in response.content


def test_the_results_page_refuses_an_overlong_query_with_a_message(client, world):
    client.force_login(world.users["viewer"])
    response = client.get(reverse("search:results"), {"q": "x" * 201})
    assert response.status_code == 200
    assert b"is-invalid" in response.content


def test_the_header_offers_the_search_box_to_signed_in_users(client, world):
    client.force_login(world.users["trainer"])
    html = client.get(reverse("home")).content.decode()
    assert 'role="search"' in html and 'id="header-search"' in html and 'for="header-search"' in html


def test_the_api_answers_kind_id_title_url_and_snippet(client, world, corpus):
    client.force_login(world.users["manager"])
    response = client.get("/api/v1/search/", {"q": WORD, "kind": "measure"})
    assert response.status_code == 200
    (result,) = response.json()["results"]
    measure = Measure.objects.get(pk=corpus["PE"]["measure"][1])
    assert result == {
        "kind": "measure",
        "id": measure.pk,
        "title": measure.title,
        "url": measure.get_absolute_url(),
        "snippet": result["snippet"],
    }


@pytest.mark.parametrize(
    ("params", "field"), [({}, "q"), ({"q": " "}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a", "kind": "secret"}, "kind")]
)
def test_the_api_refuses_bad_input_with_a_clear_error(client, world, params, field):
    client.force_login(world.users["manager"])
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_api_needs_credentials(client, db):
    assert client.get("/api/v1/search/", {"q": "x"}).status_code == 401


def test_the_api_is_in_the_schema_under_its_tag(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert operation["tags"] == ["Search"]
