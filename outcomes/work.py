"""Viewers' work: what changed in their countries since their last visit, and which targets of their
programmes are behind (the dashboards' own evaluation, taken from the same cached dashboard)."""

from collections import defaultdict

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from accounts.scoping import scope_for
from engagements.models import Country
from engagements.selectors import programmes_reached
from followups.models import FollowupRound
from followups.models import StatusUpdate
from followups.models import UpdateState
from ta_portal.work import WorkItem
from trainings.models import TrainingSession

from . import cache
from .selectors import programme_years

# Dashboards evaluated for the home page: each costs a fixed number of queries when not cached, so
# the home page looks at this many programmes (those of the viewer's countries, by name).
PROGRAMMES_SHOWN = 3


def work_items(user, *, today, since) -> list[WorkItem]:
    scope = scope_for(user, (Role.VIEWER,))
    if scope.empty:
        return []
    return _changes(user, scope, today=today, since=since) + _behind(scope, today=today)


def _changes(user, scope, *, today, since) -> list[WorkItem]:
    """Per country: reports verified, rounds submitted and training sessions ended since ``since``."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    verified = (
        StatusUpdate.objects.visible_to(user)
        .filter(scope.q("measure__engagement__country"), state=UpdateState.ACCEPTED, reviewed_at__gte=since)
        .values_list("measure__engagement__country")
        .annotate(n=Count("pk"))
        .order_by()
    )
    submitted = (
        FollowupRound.objects.visible_to(user)
        .filter(scope.q("engagement__country"), submitted_at__gte=since)
        .values_list("engagement__country")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held = (
        TrainingSession.objects.visible_to(user)
        .filter(end_date__gte=since.date(), end_date__lt=today)
        .filter(scope.q("countries"))
        .values_list("countries")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for kind, rows in (("verified", verified), ("submitted", submitted), ("held", held)):
        for country, n in rows:
            counts[country][kind] = n
    if not counts:
        return []
    names = {country.code: country.local_name for country in Country.objects.filter(code__in=sorted(counts))}
    items = []
    for code in sorted(counts, key=lambda c: names.get(c, c)):
        found = counts[code]
        parts = []
        if found.get("verified"):
            parts.append(
                ngettext("%(count)d report verified", "%(count)d reports verified", found["verified"])
                % {"count": found["verified"]}
            )
        if found.get("submitted"):
            parts.append(
                ngettext(
                    "%(count)d follow-up round submitted", "%(count)d follow-up rounds submitted", found["submitted"]
                )
                % {"count": found["submitted"]}
            )
        if found.get("held"):
            parts.append(
                ngettext("%(count)d training session held", "%(count)d training sessions held", found["held"])
                % {"count": found["held"]}
            )
        items.append(
            WorkItem(
                order=10,
                role=Role.VIEWER,
                title=_("%(country)s: new since your last visit") % {"country": names.get(code, code)},
                url=reverse("outcomes:country", args=[code]),
                detail=", ".join(parts),
            )
        )
    return items


def _behind(scope, *, today) -> list[WorkItem]:
    items = []
    for programme in programmes_reached(scope).order_by("name", "pk")[:PROGRAMMES_SHOWN]:
        years = programme_years(programme, today)
        year = today.year if today.year in years else years[-1]
        dashboard = cache.programme_dashboard(scope=scope, programme=programme, year=year, today=today)
        url = f"{reverse('outcomes:programme', args=[programme.code])}?year={year}"
        for evaluation in dashboard.targets_behind:
            items.append(
                WorkItem(
                    order=20,
                    role=Role.VIEWER,
                    title=_("%(programme)s: behind target") % {"programme": programme.name},
                    url=url,
                    detail=evaluation.target.title,
                )
            )
    return items
