"""Fetch helpers on top of the scoping querysets (``visible_to`` / ``editable_by``).

Outside the user's scope an object is not found (404); visible but not changeable is 403.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from .scoping import is_admin


def get_visible_or_404(queryset, user, **lookup):
    try:
        return get_object_or_404(queryset.visible_to(user), **lookup)
    except (TypeError, ValueError, ValidationError) as exc:
        # API routes take any path segment as an id: a malformed one is not found, never a 500.
        raise Http404 from exc


def require_editable(queryset, user, obj) -> None:
    if not queryset.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied


def can_see_others_tokens(user) -> bool:
    """Administrators list (and revoke) anyone's API tokens; everyone else only their own."""
    return is_admin(user)
