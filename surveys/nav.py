from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import EVERY_ROLE
from accounts.scoping import scope_for
from ta_portal.navigation import NavItem
from trainings.models import TrainingSession

from . import access
from . import selectors


def nav_items(request) -> list[NavItem]:
    if not access.can_see_surveys(request.user):
        return []
    return [NavItem(_("Surveys"), reverse("surveys:survey_list"), "/surveys/", secondary=True)]


def session_panels(request, session) -> list[str]:
    """The session page's survey section: its surveys, their response rates and headline figures."""
    surveys = list(selectors.survey_list_for_user(user=request.user, session=session.pk))
    context = {
        "session": session,
        "surveys": surveys,
        "blocks": selectors.session_blocks(session, request.user),
        "can_run": access.can_run_surveys(request.user, session),
        "missing": [p for p in ("reaction", "application") if p not in {s.purpose for s in surveys}],
    }
    return [render_to_string("surveys/_session_panel.html", context, request=request)]


def course_panels(request, course) -> list[str]:
    """The course page's survey section: reaction and application over its sessions, pooled."""
    sessions = TrainingSession.objects.visible_to(request.user).filter(course=course)
    blocks = selectors.outcome_blocks(sessions, scope_for(request.user, EVERY_ROLE))[None]
    context = {"course": course, "blocks": blocks}
    return [render_to_string("surveys/_course_panel.html", context, request=request)]
