"""Who issues a certificate: the programme's organisation, logo and signatories, or the portal's default.

A session's programme is its engagement's; a regional session (no engagement), an engagement without
a programme, an event without one, or a programme that names no issuer fall back to the portal-wide
default of the settings (``CERTIFICATE_ISSUER``, ``CERTIFICATE_SIGNATORIES``, ``CERTIFICATE_LOGO``).
Logos are PNG or JPEG files checked on upload (``ta_portal.uploads.LOGO``); the PDF embeds them as
``data:`` URIs, the only way it may load a file that is not a static one.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ta_portal import datacache
from ta_portal.uploads import LOGO
from ta_portal.uploads import check_upload

from .models import Programme

logger = logging.getLogger(__name__)

MAX_SIGNATORIES = 3
_MIME = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str = ""


@dataclass(frozen=True)
class Issuer:
    """An organisation, its logo (a ``data:`` URI, or "") and its signatories, as a certificate prints them."""

    name: str
    logo_uri: str = ""
    signatories: tuple[Signatory, ...] = ()


def _data_uri(content: bytes) -> str:
    for magic, mime in _MIME.items():
        if content.startswith(magic):
            return f"data:{mime};base64,{base64.b64encode(content).decode()}"
    return ""


def _stored_logo(programme: Programme) -> str:
    if not programme.certificate_logo:
        return ""
    try:
        with programme.certificate_logo.open("rb") as logo:
            return _data_uri(logo.read())
    except OSError:
        logger.warning("The logo of programme %s cannot be read; certificates go without it.", programme.code)
        return ""


def _default_logo() -> str:
    path = settings.CERTIFICATE_LOGO
    if not path:
        return ""
    try:
        content = Path(path).read_bytes()
    except OSError:
        logger.warning("CERTIFICATE_LOGO %s cannot be read; certificates go without a logo.", path)
        return ""
    if len(content) > settings.CERTIFICATE_LOGO_MAX_BYTES or not _data_uri(content):
        logger.warning("CERTIFICATE_LOGO %s is not a PNG or JPEG image of at most the allowed size.", path)
        return ""
    return _data_uri(content)


def default_issuer() -> Issuer:
    """The portal-wide issuer (in the active language when the settings name none)."""
    return Issuer(
        name=settings.CERTIFICATE_ISSUER or _("TA Portal · technical assistance on drug-precursor chemical control"),
        logo_uri=_default_logo(),
        signatories=tuple(Signatory(name.strip(), title.strip()) for name, title in settings.CERTIFICATE_SIGNATORIES),
    )


def issuer_for(programme: Programme | None) -> Issuer:
    """The issuer of a certificate under ``programme``: what the programme sets, the default for the rest."""
    if programme is None:
        return default_issuer()
    default = default_issuer()
    signatories = tuple(
        Signatory(s.get("name", ""), s.get("title", "")) for s in programme.certificate_signatories or []
    )
    return Issuer(
        name=programme.certificate_issuer or default.name,
        logo_uri=_stored_logo(programme) or default.logo_uri,
        signatories=signatories or default.signatories,
    )


def signatory_errors(signatories: list[dict]) -> dict:
    """Why a list of signatories cannot be saved: a title needs a name; at most three filled in."""
    errors = {}
    if sum(1 for s in signatories if s.get("name") or s.get("title")) > MAX_SIGNATORIES:
        errors["certificate_signatories"] = _("A certificate has at most three signatories.")
    for number, signatory in enumerate(signatories, start=1):
        if signatory.get("title") and not signatory.get("name"):
            errors[f"signatory_{number}_name"] = _("Give the name of the person with this title.")
    return errors


@transaction.atomic
def programme_certificate_save(
    *, programme: Programme, issuer: str, signatories: list[dict], logo=None, remove_logo: bool = False
) -> Programme:
    """Save what a programme's certificates print. ``signatories``: ``[{"name", "title"}]`` in order
    (blank rows dropped); ``logo`` an uploaded file, checked by its content before anything is saved."""
    rows = [{"name": s.get("name", "").strip(), "title": s.get("title", "").strip()} for s in signatories]
    errors = signatory_errors(rows)  # numbered as the form shows them, blank rows included
    signatories = [row for row in rows if row["name"] or row["title"]]
    checked = None
    if logo is not None:
        try:
            checked = check_upload(logo, policy=LOGO)
        except ValidationError as exc:
            errors["certificate_logo"] = exc.messages
    if errors:
        raise ValidationError(errors)
    programme.certificate_issuer = issuer.strip()
    programme.certificate_signatories = signatories
    old_logo = programme.certificate_logo.name if programme.certificate_logo else ""
    if checked is not None:
        programme.certificate_logo.save(f"logo.{checked.extension}", checked.upload, save=False)
    elif remove_logo:
        programme.certificate_logo = ""
    programme.full_clean()
    programme.save()
    datacache.changed(Programme)
    if old_logo and old_logo != programme.certificate_logo.name:
        storage = programme.certificate_logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return programme
