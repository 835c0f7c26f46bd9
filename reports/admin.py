from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("kind", "owner_id", "language", "status", "size", "render_seconds", "created_at", "requested_by")
    list_filter = ("kind", "status", "language")
    readonly_fields = [field.name for field in Report._meta.fields]

    def has_add_permission(self, request):
        return False
