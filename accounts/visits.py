"""The visit before this one: what the home page counts "new" and "changed" from.

At each sign-in the moment of the previous one goes into the session (``ta_portal.work`` reads it
there), and the user's ``last_visit_at`` becomes now; refreshing the home page does not make
anything old.
"""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

# The session key ta_portal.work reads (ta_portal.work.PREVIOUS_VISIT_KEY).
PREVIOUS_VISIT_KEY = "previous_visit"


@receiver(user_logged_in)
def remember_previous_visit(sender, request, user, **kwargs):
    previous = getattr(user, "last_visit_at", None)
    if request is not None and hasattr(request, "session"):
        request.session[PREVIOUS_VISIT_KEY] = previous.isoformat() if previous else None
    user.last_visit_at = timezone.now()
    user.save(update_fields=["last_visit_at"])
