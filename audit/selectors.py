from django.apps import apps
from django.db.models import QuerySet

from ta_portal.filtering import filter_given

from .access import can_read_failed_logins
from .models import AuditEntry
from .models import FailedLogin
from .registry import audited_models


def model_choices() -> list[tuple[str, str]]:
    """(label, readable name) of every covered model, for filters."""
    choices = []
    for model, options in audited_models().items():
        name = str(model._meta.verbose_name)
        if model._meta.auto_created:
            name = options.label.split(".", 1)[1].replace("_", " ")
        choices.append((options.label, f"{name} ({model._meta.app_config.verbose_name})"))
    return sorted(choices, key=lambda choice: choice[1].lower())


def model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def audit_entries_for_user(
    *, user, model: str = "", object_pk: str = "", actor: str = "", country: str = "", action: str = "",
    date_from=None, date_to=None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.visible_to(user).defer("before", "after")
    if country:
        entries = entries.in_country(country)
    return filter_given(
        entries,
        model=model.lower(),
        object_pk=object_pk,
        actor_username__iexact=actor,
        action=action,
        at__date__gte=date_from,
        at__date__lte=date_to,
    )


def failed_logins_for_user(*, user, username: str = "") -> QuerySet[FailedLogin]:
    logins = FailedLogin.objects.all() if can_read_failed_logins(user) else FailedLogin.objects.none()
    if username:
        logins = logins.filter(username__iexact=username)
    return logins
