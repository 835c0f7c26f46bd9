from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ta_portal.validation import moment_on

from .models import Engagement
from .models import PhaseChange


@transaction.atomic
def engagement_save(
    *, engagement: Engagement, by, m2m_save=None, phase_changed_on=None, phase_reason: str = ""
) -> Engagement:
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
        change = PhaseChange(
            engagement=engagement,
            from_phase=previous_phase,
            to_phase=engagement.phase,
            changed_by=by,
            reason=phase_reason,
        )
        if phase_changed_on is not None:
            change.changed_at = moment_on(phase_changed_on)
        change.save()
    return engagement


def engagement_advance(*, engagement: Engagement, to_phase: str, reason: str, by) -> Engagement:
    """Move an engagement on to a later phase, for a reason (required), recorded in its phase history.

    Only forwards: a suggestion made on an engagement that has moved on meanwhile is refused rather
    than moving it back. ``ValidationError`` names what is wrong; nothing is saved then.
    """
    errors = engagement_advance_errors(engagement=engagement, to_phase=to_phase, reason=reason)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Engagement.objects.select_for_update().get(pk=engagement.pk)
        if errors := engagement_advance_errors(engagement=locked, to_phase=to_phase, reason=reason):
            raise ValidationError(errors)
        locked.phase = to_phase
        return engagement_save(engagement=locked, by=by, phase_reason=reason.strip())


def engagement_advance_errors(*, engagement: Engagement, to_phase: str, reason: str) -> dict:
    """``{field: [message]}`` when the engagement cannot move on to ``to_phase`` for ``reason``."""
    errors: dict[str, list] = {}
    phases = list(Engagement.Phase.values)
    if to_phase not in phases:
        errors["to_phase"] = [_("Choose a phase.")]
    elif engagement.phase == Engagement.Phase.CLOSED or phases.index(to_phase) <= phases.index(engagement.phase):
        errors["to_phase"] = [
            _("The engagement is in the phase “%(phase)s” already, or beyond it.")
            % {"phase": Engagement.Phase(to_phase).label}
        ]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the engagement moves on.")]
    return errors
