from django.template.loader import render_to_string

from . import feeds
from . import services
from .forms import DigestForm
from .models import NotificationPreference


def nav_items(request) -> list:
    """Nothing in the main navigation: the header links to the notifications, with the unread count."""
    return []


def profile_panels(request, user) -> list[str]:
    """The profile page's sections: the e-mail digest choice, and the calendar subscription."""
    preference = NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
    context = {
        "digest_form": DigestForm(instance=preference),
        "calendar_url": feeds.feed_url(services.calendar_feed_get(user=user)),
    }
    return [render_to_string("notifications/_profile_panel.html", context, request=request)]
