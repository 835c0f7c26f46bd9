"""Follow-up work: for counterparts, the open rounds and the reports returned to them; for managers,
the reports awaiting verification, the overdue rounds (and which are escalated) and the roundtables
that agreed no measure yet. An opened round says an engagement is in follow-up."""

from django.db.models import Exists
from django.db.models import OuterRef
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from accounts.scoping import manages_somewhere
from accounts.scoping import scope_for
from assessments.models import Roundtable
from engagements.models import Engagement
from ta_portal.work import PhaseEvidence
from ta_portal.work import WorkItem

from .models import FollowupRound
from .models import Measure
from .models import RoundStatus
from .models import UpdateState
from .reminders import is_escalated
from .selectors import inbox_updates
from .selectors import with_progress


def work_items(user, *, today, since) -> list[WorkItem]:
    items = []
    own = scope_for(user, (Role.COUNTERPART,))
    if not own.empty:
        items += _counterpart_items(user, own, today)
    if manages_somewhere(user):
        items += _manager_items(user, today)
    return items


def _counterpart_items(user, own, today) -> list[WorkItem]:
    rounds = with_progress(
        FollowupRound.objects.visible_to(user)
        .filter(own.q("engagement__country"), opens_on__lte=today)
        .active()
        .exclude(engagement__phase=Engagement.Phase.CLOSED),
        today,
    ).select_related("engagement")
    items = []
    for round_ in rounds.order_by("due_date", "pk"):
        days_left = (round_.due_date - today).days
        to_report = round_.n_measures - round_.n_reported
        if days_left >= 0:
            when = ngettext("%(days)d day left", "%(days)d days left", days_left) % {"days": days_left}
        else:
            when = ngettext("%(days)d day overdue", "%(days)d days overdue", -days_left) % {"days": -days_left}
        items.append(
            WorkItem(
                order=10,
                role=Role.COUNTERPART,
                title=_("%(engagement)s: round due %(due)s")
                % {"engagement": round_.engagement.title, "due": round_.due_date},
                url=round_.get_absolute_url(),
                detail=_("%(when)s; %(measures)s")
                % {
                    "when": when,
                    "measures": ngettext(
                        "%(count)d measure still to report", "%(count)d measures still to report", to_report
                    )
                    % {"count": to_report},
                },
            )
        )
    returned = (
        Measure.objects.visible_to(user)
        .filter(own.q("engagement__country"), latest_update__state=UpdateState.RETURNED)
        .select_related("latest_update__round", "latest_update__reviewed_by")
        .order_by("latest_update__reviewed_at", "pk")
    )
    for measure in returned:
        update = measure.latest_update
        round_ = update.round
        url = round_.get_absolute_url() if round_ is not None and round_.accepts_updates else measure.get_absolute_url()
        items.append(
            WorkItem(
                order=20,
                role=Role.COUNTERPART,
                title=_("Report returned: %(measure)s") % {"measure": measure.title},
                url=url,
                detail=_("Comment: %(comment)s") % {"comment": Truncator(update.review_comment).chars(200)},
            )
        )
    return items


def _manager_items(user, today) -> list[WorkItem]:
    items = []
    waiting = inbox_updates(user).count()
    if waiting:
        items.append(
            WorkItem(
                order=10,
                role=Role.MANAGER,
                title=ngettext(
                    "%(count)d report awaiting verification", "%(count)d reports awaiting verification", waiting
                )
                % {"count": waiting},
                url=reverse("followups:inbox"),
                count=waiting,
            )
        )
    overdue = (
        FollowupRound.objects.editable_by(user)
        .active()
        .with_status(today)
        .filter(round_status=RoundStatus.OVERDUE)
        .select_related("engagement")
        .order_by("due_date", "pk")
    )
    for round_ in overdue:
        days = (today - round_.due_date).days
        detail = ngettext("%(days)d day overdue", "%(days)d days overdue", days) % {"days": days}
        if is_escalated(round_.due_date, today):
            detail = _("%(overdue)s; escalated to the managers") % {"overdue": detail}
        items.append(
            WorkItem(
                order=20,
                role=Role.MANAGER,
                title=_("%(engagement)s: round due %(due)s is overdue")
                % {"engagement": round_.engagement.title, "due": round_.due_date},
                url=round_.get_absolute_url(),
                detail=detail,
            )
        )
    without_measures = (
        Roundtable.objects.editable_by(user)
        .filter(date__lte=today)
        .exclude(engagement__phase=Engagement.Phase.CLOSED)
        .filter(~Exists(Measure.objects.filter(roundtable=OuterRef("pk"))))
        .order_by("date", "pk")
    )
    for roundtable in without_measures:
        items.append(
            WorkItem(
                order=60,
                role=Role.MANAGER,
                title=_("Roundtable without measures: %(roundtable)s") % {"roundtable": roundtable.title},
                url=reverse("followups:roundtable_measures", args=[roundtable.pk]),
                detail=_("Held on %(day)s; record the measures it agreed.") % {"day": roundtable.date},
            )
        )
    return items


def phase_evidence(engagements) -> dict[int, PhaseEvidence]:
    opened = FollowupRound.objects.filter(engagement__in=engagements).values_list("engagement_id", flat=True)
    evidence = PhaseEvidence(Engagement.Phase.FOLLOW_UP, _("A follow-up round was opened."))
    return dict.fromkeys(set(opened), evidence)
