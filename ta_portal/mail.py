"""Plain-text e-mail rendering, once for every e-mail the portal sends.

A subject or a text body is not HTML: a title such as `Plan "A" & <B>` must reach the reader as
typed, not as `&quot;A&quot; &amp; &lt;B&gt;`. Django escapes everything rendered through its
HTML engine, so these render the same templates with escaping off.
"""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template


def render_text(template_name: str, context: dict) -> str:
    """The template rendered as plain text (nothing HTML-escaped)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def render_subject(template_name: str, context: dict) -> str:
    """A one-line subject: the plain text with its white space (line breaks too) folded to single spaces."""
    return " ".join(render_text(template_name, context).split())


def site_url(path: str) -> str:
    """An absolute link to a page of the portal, for what is read away from any request (e-mails,
    calendars, certificates)."""
    return f"{settings.SITE_URL}{path}"
