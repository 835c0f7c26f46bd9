"""Full-text search vocabulary shared by the library (which stores a document's vector) and the search
app (which queries every kind): the PostgreSQL text-search configuration of each language, and the
one way a highlighted snippet becomes HTML.

A text is indexed and a query is parsed in three configurations, and a match in any counts (ranking
does the rest):

- the language's own (Snowball stemming and stop words): "medida" finds "medidas", "fiscalização"
  finds "fiscalizações";
- the same with accents folded first (search/migrations/0001), for words typed without them:
  "fiscalizacao" finds "fiscalização", "securite" finds "sécurité". Folding before stemming loses
  some forms in Portuguese and French (their stemmers read the accents), hence both;
- ``simple`` with accents folded: every word as written, no stop words. It catches what a language's
  configuration misses: names of people, places and agencies ("Peru" finds "Perú"), acronyms, CAS
  numbers, and words of another language than the one chosen (an English-speaking manager looking
  for "medidas" in a Spanish report).
"""

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe

SIMPLE = "portal_simple"
# Each portal language: PostgreSQL's built-in (Snowball) configuration, and the same with accents folded.
STEMMED = {
    "en": ("english", "portal_english"),
    "es": ("spanish", "portal_spanish"),
    "pt": ("portuguese", "portal_portuguese"),
    "fr": ("french", "portal_french"),
}

# What PostgreSQL's ts_headline puts around a match: characters of the Unicode private-use area, which
# no language writes, so the snippet can be escaped whole and only these become markup.
MARK_START = "\ue000"
MARK_STOP = "\ue001"


def _stemmed(language: str | None) -> tuple[str, ...]:
    return STEMMED.get((language or "")[:2].lower(), ())


def configs_for(language: str | None) -> tuple[str, ...]:
    """The configurations a text in ``language`` ("es", "es-ar") is indexed with and a query in it is
    parsed with; ``simple`` alone for any other language."""
    return (*_stemmed(language), SIMPLE)


def headline_config(language: str | None) -> str:
    """The configuration a snippet's matches are found with: the language's with accents folded, so
    a word typed either way is marked as it is written."""
    stemmed = _stemmed(language)
    return stemmed[-1] if stemmed else SIMPLE


def marked_html(text: str) -> SafeString:
    """``text`` with its matches between MARK_START and MARK_STOP, as HTML: everything escaped, and
    each marked match in a ``<mark>`` element (always closed, whatever the markers in the text)."""
    parts = (text or "").split(MARK_START)
    html = [escape(parts[0].replace(MARK_STOP, ""))]
    for part in parts[1:]:
        match, closed, rest = part.partition(MARK_STOP)
        if closed and match:
            html.append(f"<mark>{escape(match)}</mark>")
        else:
            html.append(escape(match))
        html.append(escape(rest.replace(MARK_STOP, "")))
    return mark_safe("".join(html))  # noqa: S308 (every piece of text above is escaped)


def mark_terms(text: str, terms: list[str], *, width: int = 240) -> str:
    """A window of ``text`` around the first of ``terms`` found (case-insensitive), each occurrence of
    every term between the markers: the snippet where PostgreSQL's ts_headline is not available."""
    lowered = text.lower()
    found = [lowered.find(term.lower()) for term in terms if term]
    first = min((index for index in found if index >= 0), default=0)
    start = max(0, first - width // 3)
    window = text[start : start + width]
    marked = []
    index = 0
    lowered_window = window.lower()
    needles = sorted({term.lower() for term in terms if term}, key=len, reverse=True)
    while index < len(window):
        hit = next((needle for needle in needles if lowered_window.startswith(needle, index)), None)
        if hit is None:
            marked.append(window[index])
            index += 1
        else:
            marked.append(MARK_START + window[index : index + len(hit)] + MARK_STOP)
            index += len(hit)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(text) else ""
    return prefix + "".join(marked) + suffix
