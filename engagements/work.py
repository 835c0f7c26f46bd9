"""The managers' work on engagements: engagements whose recorded activities suggest the next phase
(moved on in one click, with the reason), and countries in scope without any counterpart."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.roles import Role
from accounts.scoping import manages_somewhere
from ta_portal.work import WorkItem
from ta_portal.work import gather_phase_evidence

from .forms import PhaseAdvanceForm
from .forms import advance_auto_id
from .models import Country
from .models import Engagement

PHASES = list(Engagement.Phase.values)


def phase_suggestions(engagements) -> list[tuple[Engagement, str, str]]:
    """(engagement, the phase its activities reach, why) for each engagement of ``engagements`` (a
    queryset) whose activities reach a later phase than the one it is in; closed ones are left alone."""
    evidence = gather_phase_evidence(engagements)
    if not evidence:
        return []
    suggestions = []
    rows = engagements.filter(pk__in=list(evidence)).exclude(phase=Engagement.Phase.CLOSED).select_related("country")
    for engagement in rows.order_by("title", "pk"):
        furthest = max(evidence[engagement.pk], key=lambda e: PHASES.index(e.phase))
        if PHASES.index(furthest.phase) > PHASES.index(engagement.phase):
            reasons = [
                e.reason for e in evidence[engagement.pk] if PHASES.index(e.phase) > PHASES.index(engagement.phase)
            ]
            suggestions.append((engagement, furthest.phase, "; ".join(reasons)))
    return suggestions


def work_items(user, *, today, since) -> list[WorkItem]:
    if not manages_somewhere(user):
        return []
    managed = Engagement.objects.editable_by(user).exclude(phase=Engagement.Phase.CLOSED)
    items = []
    for engagement, phase, reason in phase_suggestions(managed):
        label = Engagement.Phase(phase).label
        items.append(
            WorkItem(
                order=30,
                role=Role.MANAGER,
                title=_("%(engagement)s: its activities suggest the phase “%(phase)s”")
                % {"engagement": engagement.title, "phase": label},
                url=reverse("engagements:detail", args=[engagement.pk]),
                detail=reason,
                form_template="engagements/_phase_advance_form.html",
                form_context={
                    "form": PhaseAdvanceForm(
                        initial={"to_phase": phase, "reason": reason}, auto_id=advance_auto_id(engagement)
                    ),
                    "engagement": engagement,
                    "phase_label": label,
                },
            )
        )
    with_counterparts = Membership.objects.filter(
        role=Role.COUNTERPART, user__is_active=True, country__isnull=False
    ).values("country_id")
    lonely = (
        Country.objects.filter(code__in=managed.values("country_id"))
        .exclude(code__in=with_counterparts)
        .order_by("name")
    )
    for country in lonely:
        items.append(
            WorkItem(
                order=40,
                role=Role.MANAGER,
                title=_("%(country)s has no counterpart in the portal") % {"country": country.local_name},
                url=f"{reverse('engagements:list')}?country={country.code}",
                detail=_("Nobody there is told of rounds or returned reports: ask an administrator to add one."),
            )
        )
    return items
