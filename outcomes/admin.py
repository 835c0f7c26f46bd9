"""Admin of the programme results framework: objectives and targets."""

from django.contrib import admin

from .models import ActivityTarget
from .models import OutcomeTarget
from .models import ProgrammeObjective


@admin.register(ProgrammeObjective)
class ProgrammeObjectiveAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "area", "programme", "order")
    list_filter = ("programme", "area")
    search_fields = ("code", "title")


class _TargetAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "metric", "target_value", "period_start", "period_end", "country")
    list_filter = ("programme", "metric", "country")
    search_fields = ("title",)
    autocomplete_fields = ["country"]
    list_select_related = ("programme", "objective", "country")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "objective":
            kwargs["queryset"] = ProgrammeObjective.objects.select_related("programme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ActivityTarget)
class ActivityTargetAdmin(_TargetAdmin):
    fields = (
        *("programme", "objective", "title", "metric", "session_kind", "phase", "target_value"),
        *("period_start", "period_end", "country", "order"),
    )


@admin.register(OutcomeTarget)
class OutcomeTargetAdmin(_TargetAdmin):
    list_display = ("title", "programme", "metric", "comparator", "target_value", "period_start", "period_end")
    fields = (
        *("programme", "objective", "title", "metric", "session_kind", "within_months", "comparator"),
        *("target_value", "period_start", "period_end", "country", "order"),
    )
