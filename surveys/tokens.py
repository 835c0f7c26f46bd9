"""The personal link of an invitation: a token signed with the portal's key that names the
invitation and its random nonce. Nothing is stored that would let a database copy forge one, and a
changed character makes the whole token invalid (``django.core.signing``)."""

from __future__ import annotations

from django.core import signing

from .models import Invitation

SALT = "surveys.invitation"


class LinkError(Exception):
    """Why a link cannot be used: ``reason`` is one of "invalid", "gone"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def token_for(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=SALT)


def invitation_for(token: str) -> Invitation:
    """The invitation the token names; LinkError("invalid") for a token that was not made by the
    portal or was changed, LinkError("gone") when its survey (or session) has been deleted."""
    try:
        pk, nonce = signing.loads(token, salt=SALT)
        pk = int(pk)
    except (signing.BadSignature, TypeError, ValueError):
        raise LinkError("invalid") from None
    invitation = (
        Invitation.objects.select_related(
            "survey__session__course", "survey__template", "enrolment__person", "enrolment__agency"
        )
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        raise LinkError("gone")
    if invitation.nonce != nonce:
        raise LinkError("invalid")
    return invitation
