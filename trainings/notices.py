"""The trainings' notifications (see notifications.kinds)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind

KINDS = {
    "trainings.certificate_issued": Kind(_("Your certificate for “%(session)s” was issued.")),
}
