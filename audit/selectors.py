from django.apps import apps
from django.db.models import QuerySet

from .access import can_read_failed_logins
from .models import AuditEntry, FailedLogin
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
    if model:
        entries = entries.filter(model=model.lower())
    if object_pk:
        entries = entries.filter(object_pk=object_pk)
    if actor:
        entries = entries.filter(actor_username__iexact=actor)
    if country:
        entries = entries.in_country(country)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    return entries


def failed_logins_for_user(*, user, username: str = "") -> QuerySet[FailedLogin]:
    logins = FailedLogin.objects.all() if can_read_failed_logins(user) else FailedLogin.objects.none()
    if username:
        logins = logins.filter(username__iexact=username)
    return logins
