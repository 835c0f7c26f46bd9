"""Each user's work: what is theirs to do, gathered from each app's ``work.py`` (``work_items(user, *,
today, since)``), in app order, for the home page and the counts in the navigation.

An app contributes the items of its own data, read through its scoped querysets, in a number of
queries that does not grow with the data. An item names the role it is work for (the home page
has a section per role) and links to the page where the work is done; the navigation counts the
items under the section their link belongs to.

Apps may also tell which phase an engagement's recorded activities reach (``phase_evidence``),
so the engagements app can suggest moving an engagement on without knowing any activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import datacache
from .discovery import portal_modules

# The sections of the home page, in the order shown.
ROLE_ORDER = ("counterpart", "manager", "trainer", "viewer")
# Without a previous visit (the first sign-in), "new" means of the last days.
FIRST_VISIT_DAYS = 30
# Where the sign-in leaves the moment of the visit before it (accounts.visits).
PREVIOUS_VISIT_KEY = "previous_visit"  # accounts.visits writes it at sign-in


@dataclass(frozen=True)
class WorkItem:
    role: str  # whose work: one of ROLE_ORDER
    title: str
    url: str  # the page where the work is done
    detail: str = ""
    # How much work it stands for (a count of reports waiting, say), as the navigation counts it.
    count: int = 1
    # Where it stands in its role's section (lower first): the most pressing kinds of work first.
    order: int = 50
    # A form shown with the item (template name and its context), e.g. a one-click action.
    form_template: str = ""
    form_context: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class PhaseEvidence:
    """An engagement's activities reach ``phase``: ``reason`` says which (shown, and offered as the
    reason of the change)."""

    phase: str
    reason: str


def work_items(user, *, today: date, since: datetime) -> list[WorkItem]:
    if user is None or not user.is_authenticated:
        return []
    items: list[WorkItem] = []
    for module in portal_modules("work"):
        items.extend(module.work_items(user, today=today, since=since))
    return items


def by_role(items: list[WorkItem]) -> list[tuple[str, list[WorkItem]]]:
    return [(role, sorted((item for item in items if item.role == role), key=lambda i: i.order)) for role in ROLE_ORDER]


def gather_phase_evidence(engagements) -> dict[int, list[PhaseEvidence]]:
    """What each app's activities say about the engagements of ``engagements`` (a queryset): per
    engagement id, the phases their activities reach, from each app's ``work.phase_evidence``."""
    found: dict[int, list[PhaseEvidence]] = {}
    for module in portal_modules("work"):
        function = getattr(module, "phase_evidence", None)
        if function is None:
            continue
        for engagement_id, evidence in function(engagements).items():
            found.setdefault(engagement_id, []).append(evidence)
    return found


def since_of(request) -> datetime:
    """The moment "new" counts from: the previous visit's sign-in, else ``FIRST_VISIT_DAYS`` ago."""
    stored = request.session.get(PREVIOUS_VISIT_KEY) if hasattr(request, "session") else None
    moment = parse_datetime(stored) if stored else None
    return moment or timezone.now() - timedelta(days=FIRST_VISIT_DAYS)


def section_counts(items: list[WorkItem], sections: list[str]) -> dict[str, int]:
    """The work under each navigation section (a URL prefix): each item counts (its ``count``) under
    the longest section its link starts with."""
    counts = dict.fromkeys(sections, 0)
    ordered = sorted((s for s in sections if s), key=len, reverse=True)
    for item in items:
        section = next((s for s in ordered if item.url.startswith(s)), None)
        if section is not None:
            counts[section] += item.count
    return counts


def request_work(request) -> list[WorkItem]:
    """The user's work items, computed once per request."""
    cached = getattr(request, "_work_items", None)
    if cached is None:
        cached = work_items(request.user, today=timezone.localdate(), since=since_of(request))
        request._work_items = cached
    return cached


def nav_counts(request, sections: list[str]) -> dict[str, int]:
    """The counts of the navigation, once per request. The home page computes the items anyway; any
    other page reads the counts from the data cache (computed on a miss), or, with the cache off,
    the counts the home page last left in the session, so a page does not pay for the whole work
    list on every request."""
    cached = getattr(request, "_work_counts", None)
    if cached is not None:
        return cached
    if getattr(request, "_work_items", None) is not None:
        counts = section_counts(request._work_items, sections)
    elif datacache.enabled():
        counts = datacache.cached(
            "work-counts",
            (request.user.pk, timezone.localdate(), request.session.get(PREVIOUS_VISIT_KEY), tuple(sections)),
            lambda: section_counts(request_work(request), sections),
        )
    else:
        stored = request.session.get("work_counts") or {}
        counts = {section: stored.get(section, 0) for section in sections}
    request._work_counts = counts
    return counts


def remember_counts(request, sections: list[str]) -> None:
    """Leave the counts of the items just computed in the session, for the pages that follow."""
    counts = section_counts(request_work(request), sections)
    request._work_counts = counts
    if request.session.get("work_counts") != counts:
        request.session["work_counts"] = counts
