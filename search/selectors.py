"""Search across the portal: the best matches the user may see, ranked and with a highlighted snippet.

On PostgreSQL, full-text search: each kind's fields are matched against the query parsed in the
user's language and word for word (ta_portal/fulltext.py says why both), ranked by ``ts_rank`` with
titles weighing most, and the snippet is ``ts_headline``'s. Library documents keep a stored,
GIN-indexed vector (their files' text is long); the other kinds are short texts read within the
user's scope, which the scoping filter already narrows to a few countries' rows.

Elsewhere (SQLite, when no database is configured) every word of the query must appear in one of
a kind's fields, case-insensitively; newer rows first.

Either way: one query per kind whatever the amount of data, and at most ``LIMIT`` results.
"""

from dataclasses import dataclass
from functools import reduce
from operator import add
from operator import and_
from operator import or_

from django.contrib.postgres.search import SearchHeadline
from django.contrib.postgres.search import SearchQuery
from django.contrib.postgres.search import SearchRank
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import F
from django.db.models import Q
from django.db.models import TextField
from django.db.models import Value
from django.db.models.functions import Cast
from django.db.models.functions import Coalesce
from django.db.models.functions import Concat
from django.db.models.functions import NullIf
from django.db.models.functions import Trim
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from ta_portal.fulltext import MARK_START
from ta_portal.fulltext import MARK_STOP
from ta_portal.fulltext import configs_for
from ta_portal.fulltext import headline_config
from ta_portal.fulltext import mark_terms
from ta_portal.fulltext import marked_html

from .sources import KINDS
from .sources import SOURCES
from .sources import Source

LIMIT = 30
MAX_QUERY_LENGTH = 200
MAX_FALLBACK_TERMS = 8


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    id: int
    title: str
    url: str
    snippet: SafeString  # HTML: escaped text, matches in <mark>
    rank: float


def search_for_user(*, user, query: str, kind: str = "", language: str | None = None, limit: int = LIMIT) -> list[Hit]:
    """The best ``limit`` matches of ``query`` the user may see, best first (of one ``kind`` if given).

    ``language`` (the active one by default) chooses how words are stemmed on PostgreSQL.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query or not user.is_authenticated:
        return []
    sources = [KINDS[kind]] if kind else SOURCES
    if full_text_search():
        language = language or get_language()
        hits = [hit for source in sources for hit in _postgresql_hits(source, user, query, language, limit)]
    else:
        hits = [hit for source in sources for hit in _fallback_hits(source, user, query, limit)]
    order = {source.kind: index for index, source in enumerate(SOURCES)}
    hits.sort(key=lambda hit: (-hit.rank, order[hit.kind], -hit.id))
    return hits[:limit]


def full_text_search() -> bool:
    """Whether the database searches text itself (PostgreSQL), or the simpler way is used."""
    return connection.vendor == "postgresql"


def _hit(source: Source, obj, *, snippet: str, rank: float) -> Hit:
    return Hit(
        kind=source.kind,
        label=str(source.label),
        id=obj.pk,
        title=source.title(obj),
        url=source.url(obj),
        snippet=marked_html(snippet),
        rank=float(rank or 0),
    )


def _snippet_text(source: Source):
    """The text the snippet is taken from: the source's snippet fields, or its title field while
    they are empty (a measure with no description is found by its title, shown highlighted)."""
    fields = source.snippet_fields
    if len(fields) == 1:
        body = F(fields[0])
    else:
        parts = [part for field in fields for part in (F(field), Value(" "))]
        body = Concat(*parts[:-1], output_field=TextField())
    title = Cast(source.fields[0][0], output_field=TextField())
    return Coalesce(NullIf(Trim(body), Value("")), title, output_field=TextField())


def _postgresql_hits(source: Source, user, query: str, language: str, limit: int) -> list[Hit]:
    configs = configs_for(language)
    search_query = reduce(or_, (SearchQuery(query, config=config, search_type="websearch") for config in configs))
    if source.stored_vector:
        vector = F(source.stored_vector)
    else:
        vector = reduce(
            add,
            (
                SearchVector(field, config=config, weight=weight)
                for field, weight in source.fields
                for config in configs
            ),
        )
    rows = (
        source.visible(user)
        .defer(*source.deferred)
        .annotate(search_document=vector)
        .filter(search_document=search_query)
        .annotate(
            search_rank=SearchRank(F("search_document"), search_query),
            search_snippet=SearchHeadline(
                _snippet_text(source),
                search_query,
                config=headline_config(language),
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-search_rank", "-pk")[:limit]
    )
    return [_hit(source, row, snippet=row.search_snippet, rank=row.search_rank) for row in rows]


def _fallback_hits(source: Source, user, query: str, limit: int) -> list[Hit]:
    terms = query.split()[:MAX_FALLBACK_TERMS]
    fields = [field for field, _weight in source.fields]
    condition = reduce(and_, (reduce(or_, (Q(**{f"{field}__icontains": term}) for field in fields)) for term in terms))
    rows = source.visible(user).filter(condition).order_by("-pk")[:limit]
    title_field = fields[0]
    hits = []
    for row in rows:
        title = str(_value(row, title_field))
        rank = 1.0 if all(term.lower() in title.lower() for term in terms) else 0.5
        text = " ".join(str(_value(row, field) or "") for field in source.snippet_fields).strip() or title
        hits.append(_hit(source, row, snippet=mark_terms(text, terms), rank=rank))
    return hits


def _value(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
