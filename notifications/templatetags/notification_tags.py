from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_header_link.html", takes_context=True)
def notifications_link(context):
    """The header's link to the notifications with the unread count (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = user is not None and user.is_authenticated and not getattr(request, "otp_pending", False)
    return {"shown": shown, "unread": unread_count(user) if shown else 0}
