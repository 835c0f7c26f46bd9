from django.core.exceptions import ValidationError
from django.db import transaction

from ta_portal.validation import moment_on

from .models import Engagement
from .models import PhaseChange


@transaction.atomic
def engagement_save(*, engagement: Engagement, by, m2m_save=None, phase_changed_on=None) -> Engagement:
    """Create or update an engagement, recording every change of phase with its author.

    A change of phase is dated now, or on ``phase_changed_on`` for a change of the past (not in the
    future, not before the engagement started; stored at noon of that day in the portal's time zone).
    """
    previous_phase = ""
    if engagement.pk:
        previous_phase = Engagement.objects.filter(pk=engagement.pk).values_list("phase", flat=True).first() or ""
    engagement.full_clean()
    if errors := engagement.phase_change_day_errors(phase_changed_on, previous_phase=previous_phase):
        raise ValidationError(errors)
    engagement.save()
    if m2m_save is not None:
        m2m_save()
    if previous_phase != engagement.phase:
        change = PhaseChange(engagement=engagement, from_phase=previous_phase, to_phase=engagement.phase, changed_by=by)
        if phase_changed_on is not None:
            change.changed_at = moment_on(phase_changed_on)
        change.save()
    return engagement
