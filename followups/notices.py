"""The follow-up's notifications (see notifications.kinds), and who is told of what: always people
whose scope reaches the engagement."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from accounts.roles import Role
from notifications.kinds import Kind

from .access import can_report_progress
from .access import can_review_updates

KINDS = {
    "followups.report_submitted": Kind(_("%(who)s reported on “%(measure)s”: the report waits for your verification.")),
    "followups.report_accepted": Kind(_("Your report on “%(measure)s” was accepted.")),
    "followups.report_returned": Kind(_("Your report on “%(measure)s” was returned: %(comment)s")),
    "followups.round_opened": Kind(_("A follow-up round of “%(engagement)s” is open: report by %(due)s.")),
}


def reviewers(engagement) -> list:
    """Who verifies the engagement's reports: its named managers, or, if it names none who still
    manage its country, the country's managers."""
    named = [user for user in engagement.managers.filter(is_active=True) if can_review_updates(user, engagement)]
    if named:
        return named
    return list(
        Membership.objects.filter(role=Role.MANAGER, country_id=engagement.country_id, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def counterparts(engagement) -> list[int]:
    """The counterparts of the engagement's country, who report on its measures."""
    return list(
        Membership.objects.filter(role=Role.COUNTERPART, country_id=engagement.country_id, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def reporter(update, engagement) -> list:
    """The author of a report, if they still report on the engagement."""
    author = update.submitted_by
    return [author] if author is not None and can_report_progress(author, engagement) else []
