from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from ta_portal.pagination import paginate

from . import feeds
from . import selectors
from . import services
from .forms import DigestForm
from .models import CalendarFeed
from .models import Notification


@login_required
def notification_list(request):
    page = paginate(request, selectors.notifications_for(request.user))
    page.object_list = selectors.with_text(page.object_list)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read; with ``open``, go on to what it is about."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    target = notification.url if "open" in request.POST else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("notifications:list")


@login_required
@require_POST
def digest_choose(request):
    form = DigestForm(request.POST)
    if form.is_valid():
        services.digest_choose(user=request.user, digest=form.cleaned_data["digest"])
        messages.success(request, _("Your e-mail digest choice was saved."))
    else:
        messages.error(request, _("Choose none, daily or weekly."))
    return redirect("accounts:profile")


@login_required
@require_POST
def calendar_renew(request):
    services.calendar_feed_renew(user=request.user)
    messages.success(
        request,
        _("Your calendar address was revoked and a new one made: subscribe again with the new address."),
    )
    return redirect("accounts:profile")


@never_cache
@require_GET
def calendar_feed(request, pk: int, secret: str):
    """The subscription itself: no sign-in (calendar applications cannot sign in), the secret in the
    address is the key. An unknown or revoked address is 404, like any object out of reach."""
    feed = feeds.feed_for_secret(pk, secret)
    if feed is None:
        raise Http404
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 3600:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    with translation.override(feed.user.language or settings.LANGUAGE_CODE):
        content = feeds.calendar_for(feed.user)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ta-portal.ics"'
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
