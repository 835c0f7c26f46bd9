"""The kinds of notification, declared by the apps that raise them.

Each app that notifies has a ``notices.py`` with ``KINDS``: a dict of kind name → ``Kind``, the
kind name prefixed with the app's label (``"followups.report_submitted"``). The text is a lazy
message with ``%(name)s`` placeholders filled from the notification's parameters, so it is put
into words when read, in the reader's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ta_portal.discovery import portal_modules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    text: Promise  # gettext_lazy with %(param)s placeholders


@cache
def all_kinds() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for module in portal_modules("notices"):
        kinds.update(module.KINDS)
    return kinds


def is_known(kind: str) -> bool:
    return kind in all_kinds()


def message(kind: str, params: dict) -> str:
    """The notification in words, in the active language."""
    declared = all_kinds().get(kind)
    if declared is None:
        return _("Something changed that concerns you.")
    try:
        return str(declared.text) % params
    except (KeyError, TypeError, ValueError):
        # A parameter missing from an old row must not break the list of notifications.
        logger.warning("notification %s lacks parameters for its text", kind)
        return _("Something changed that concerns you.")
