from celery.signals import before_task_publish
from celery.signals import task_postrun
from celery.signals import task_prerun
from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete
from django.db.models.signals import post_migrate
from django.db.models.signals import post_save
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

from .context import install_on_open_connections
from .context import install_wrapper
from .registry import register


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # These import the models (the trail, users): importable only once the app registry is ready.
        from . import receivers  # noqa: PLC0415 (needs the app registry)
        from .roles import post_migrate_grant  # noqa: PLC0415 (needs the app registry)
        from .triggers import post_migrate_install  # noqa: PLC0415 (needs the app registry)

        # Accounts: who holds which role where, and who may call the API, are audited like data.
        # Password hashes and token digests never enter the trail; sign-ins alone leave no entry.
        register("accounts.User", redact=("password",), ignore=("last_login", "last_visit_at"))
        register("accounts.Membership", country_path="country")
        register("accounts.ApiToken", redact=("digest",), ignore=("last_used_at",))
        register("accounts.OtpEnrolmentCode", redact=("digest",))
        register("otp_totp.TOTPDevice", redact=("key",), ignore=("last_t", "drift", "last_used_at",
                 "throttling_failure_timestamp", "throttling_failure_count"))

        connection_created.connect(install_wrapper, dispatch_uid="audit_execute_wrapper")
        install_on_open_connections()
        post_migrate.connect(post_migrate_install, sender=self, dispatch_uid="audit_install_triggers")
        # After the triggers and the purge function, so that the grants cover them.
        post_migrate.connect(post_migrate_grant, sender=self, dispatch_uid="audit_grant_app_role")
        user_login_failed.connect(receivers.record_failed_login, dispatch_uid="audit_failed_login")
        before_task_publish.connect(receivers.add_actor_header, dispatch_uid="audit_task_header")
        task_prerun.connect(receivers.task_actor_start, dispatch_uid="audit_task_start")
        task_postrun.connect(receivers.task_actor_end, dispatch_uid="audit_task_end")
        # SQLite (development without PostgreSQL): signals instead of triggers.
        pre_save.connect(receivers.signal_pre_save, dispatch_uid="audit_pre_save")
        post_save.connect(receivers.signal_post_save, dispatch_uid="audit_post_save")
        post_delete.connect(receivers.signal_post_delete, dispatch_uid="audit_post_delete")
