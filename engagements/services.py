from django.db import transaction

from .models import Engagement
from .models import PhaseChange


@transaction.atomic
def engagement_save(*, engagement: Engagement, by, m2m_save=None) -> Engagement:
    """Create or update an engagement, recording every change of phase with its author."""
    previous_phase = ""
    if engagement.pk:
        previous_phase = Engagement.objects.filter(pk=engagement.pk).values_list("phase", flat=True).first() or ""
    engagement.full_clean()
    engagement.save()
    if m2m_save is not None:
        m2m_save()
    if previous_phase != engagement.phase:
        PhaseChange.objects.create(
            engagement=engagement, from_phase=previous_phase, to_phase=engagement.phase, changed_by=by
        )
    return engagement
