"""Plain-text e-mail rendering, once for every e-mail the portal sends.

A subject or a text body is not HTML: a title such as `Plan "A" & <B>` must reach the reader as
typed, not as `&quot;A&quot; &amp; &lt;B&gt;`. Django escapes everything rendered through its
HTML engine, so these render the same templates with escaping off.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import get_template
from django.utils import translation


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


def automatic_email(
    template: str, context: dict, *, to: str, language: str, connection=None, headers: dict | None = None
) -> EmailMessage:
    """An e-mail the portal sends on its own (reminders, digests, surveys, certificates): subject and
    body from ``<template>_subject.txt`` and ``<template>_body.txt`` rendered in ``language``, and
    marked as such for the reader's mail client (``Content-Language``; ``Auto-Submitted``, so that
    auto-replies stay quiet, RFC 3834), with the caller's own ``headers`` besides."""
    with translation.override(language):
        subject = render_subject(f"{template}_subject.txt", context)
        body = render_text(f"{template}_body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[to],
        connection=connection,
        headers={"Content-Language": language, "Auto-Submitted": "auto-generated", **(headers or {})},
    )
