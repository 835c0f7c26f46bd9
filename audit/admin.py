from django.contrib import admin

from .models import AuditEntry
from .models import FailedLogin


class ReadOnlyAdmin(admin.ModelAdmin):
    """The trail is evidence: administrators read it here, nobody edits or deletes it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "model", "object_pk", "actor_username", "countries", "context")
    list_filter = ("action", "model")
    search_fields = ("object_pk", "actor_username", "context")
    date_hierarchy = "at"


@admin.register(FailedLogin)
class FailedLoginAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "ip", "reason", "path")
    list_filter = ("reason",)
    search_fields = ("username", "ip")
    date_hierarchy = "at"
