"""Assessment work for managers: drafts nobody has touched for a while. An assessment or a roundtable
recorded for an engagement says it reached that phase."""

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from accounts.scoping import manages_somewhere
from engagements.models import Engagement
from ta_portal.work import PhaseEvidence
from ta_portal.work import WorkItem

from .models import Assessment
from .models import Roundtable

# A draft untouched this long is probably forgotten.
STALE_DRAFT_DAYS = 60


def work_items(user, *, today, since) -> list[WorkItem]:
    if not manages_somewhere(user):
        return []
    cutoff = today - timedelta(days=STALE_DRAFT_DAYS)
    drafts = (
        Assessment.objects.editable_by(user)
        .filter(status=Assessment.Status.DRAFT, updated_at__date__lt=cutoff)
        .exclude(engagement__phase=Engagement.Phase.CLOSED)
        .order_by("updated_at", "pk")
    )
    items = []
    for assessment in drafts:
        days = (today - assessment.updated_at.date()).days
        items.append(
            WorkItem(
                order=50,
                role=Role.MANAGER,
                title=_("Draft untouched: %(assessment)s") % {"assessment": assessment.title},
                url=assessment.get_absolute_url(),
                detail=ngettext("Last changed %(days)d day ago.", "Last changed %(days)d days ago.", days)
                % {"days": days},
            )
        )
    return items


def phase_evidence(engagements) -> dict[int, PhaseEvidence]:
    found = {}
    assessed = Assessment.objects.filter(engagement__in=engagements).values_list("engagement_id", flat=True)
    for engagement_id in set(assessed):
        found[engagement_id] = PhaseEvidence(Engagement.Phase.ASSESSMENT, _("An assessment was recorded."))
    # A roundtable comes after the assessment: it says more.
    held = Roundtable.objects.filter(engagement__in=engagements).values_list("engagement_id", flat=True)
    for engagement_id in set(held):
        found[engagement_id] = PhaseEvidence(Engagement.Phase.ROUNDTABLE, _("A roundtable was recorded."))
    return found
