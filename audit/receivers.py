"""Signal receivers: failed sign-ins, Celery actors, and the audit trail without PostgreSQL.

Connected in ``AuditConfig.ready()``.
"""

from __future__ import annotations

import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS
from django.db import connections
from django.utils import timezone

from accounts.lockout import client_ip
from accounts.models import User

from .context import Actor
from .context import current_actor
from .context import reset_actor
from .context import set_actor
from .models import AuditEntry
from .models import FailedLogin
from .registry import is_audited
from .registry import options_for

security_log = logging.getLogger("ta_portal.security")


def record_failed_login(sender, credentials, request=None, **kwargs):
    """Keep every refused sign-in (after accounts.lockout has counted it)."""
    username = str(credentials.get("username") or "")[:150]
    failure = getattr(request, "login_failure", None) if request is not None else None
    if failure is not None and failure.locked:
        reason = FailedLogin.Reason.LOCKED
    elif "otp" in credentials:
        reason = FailedLogin.Reason.BAD_OTP
    else:
        reason = FailedLogin.Reason.BAD_CREDENTIALS
    ip = client_ip(request) if request is not None else ""
    meta = getattr(request, "META", {}) if request is not None else {}
    FailedLogin.objects.create(
        username=username,
        ip=ip[:45],
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        path=(getattr(request, "path", "") or "")[:200],
        reason=reason,
    )
    security_log.warning("failed sign-in username=%r ip=%s reason=%s", username, ip, reason)


# Celery: a task runs as the user who queued it (the id travels in a message header).
_HEADER = "ta_portal_actor"
_task_tokens: dict[str, object] = {}


def add_actor_header(sender=None, headers=None, **kwargs):
    actor = current_actor()
    if headers is not None and actor is not None and actor.user_id is not None:
        headers[_HEADER] = actor.user_id


def task_actor_start(sender=None, task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return  # an eager task runs inside the caller, with the caller's actor
    user_id = getattr(request, _HEADER, None)
    if user_id is None:
        user_id = (getattr(request, "headers", None) or {}).get(_HEADER)
    _task_tokens[task_id] = set_actor(Actor(user_id=user_id, context=f"task {getattr(task, 'name', '')}"[:300]))


def task_actor_end(sender=None, task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        reset_actor(token)


# Without PostgreSQL there are no triggers: model signals write the trail instead. They miss
# queryset.update(), bulk_create() and raw SQL; development only, production runs PostgreSQL.
def _row(instance) -> dict:
    # The values as the database stores them (a file's name, not the file), like to_jsonb(row).
    values = {
        field.column: field.get_prep_value(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
    }
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _write_entry(model, instance, action, before, after):
    options = options_for(model)
    if options is None:
        return
    for row in (before, after):
        for column in options.redact:
            if row is not None and column in row:
                row[column] = "[redacted]"
    changed = []
    if before is not None and after is not None:
        changed = sorted(k for k in after if after.get(k) != before.get(k))
        if not [c for c in changed if c not in options.ignore]:
            return
    codes = _countries(instance, options.country_path.split("__")) if options.country_path else set()
    actor = current_actor()
    AuditEntry.objects.create(
        at=timezone.now(),
        model=options.label,
        table_name=model._meta.db_table,
        object_pk=str(instance.pk),
        action=action,
        actor_id=actor.user_id if actor else None,
        actor_username=_username(actor.user_id) if actor and actor.user_id else None,
        countries="," + ",".join(sorted(codes)) + "," if codes else None,
        context=actor.context if actor else "",
        before=before,
        after=after,
        changed=changed,
    )


def _countries(obj, parts) -> set[str]:
    """Follow a country path through foreign keys and many-to-many fields, in Python."""
    field = next((f for f in obj._meta.get_fields() if f.name == parts[0]), None) if obj is not None else None
    found: set[str] = set()
    if field is None or not field.concrete:
        pass  # an unusable path gives no country, as in the trigger
    elif field.many_to_many:
        if obj.pk is not None:
            related = getattr(obj, field.name).all()
            for other in related:
                found |= {str(other.pk)} if len(parts) == 1 else _countries(other, parts[1:])
    elif len(parts) == 1:
        value = getattr(obj, field.attname, None)
        found = {str(value)} if value is not None else set()
    elif field.is_relation:
        found = _countries(getattr(obj, field.name, None), parts[1:])
    return found


def _username(user_id):
    return User.objects.filter(pk=user_id).values_list("username", flat=True).first()


def _uses_signals(using) -> bool:
    return connections[using or DEFAULT_DB_ALIAS].vendor != "postgresql"


def signal_pre_save(sender, instance, raw=False, using=None, **kwargs):
    if raw or not _uses_signals(using) or instance.pk is None:
        return
    if not is_audited(sender):
        return
    old = sender._base_manager.using(using).filter(pk=instance.pk).first()
    instance._audit_before = _row(old) if old is not None else None


def signal_post_save(sender, instance, created, raw=False, using=None, **kwargs):
    if raw or not _uses_signals(using):
        return
    if not is_audited(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    _write_entry(sender, instance, "insert" if before is None else "update", before, _row(instance))


def signal_post_delete(sender, instance, using=None, **kwargs):
    if not _uses_signals(using):
        return
    if is_audited(sender):
        _write_entry(sender, instance, "delete", _row(instance), None)
