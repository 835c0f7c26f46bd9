"""The admin shows the question bank and templates (also edited in the pages) and the surveys; what
participants answered is not shown here, as it is not in the pages: only as figures."""

from django.contrib import admin

from ta_portal.multilingual import MultilingualAdminMixin

from .models import Survey
from .models import SurveyQuestion
from .models import SurveyTemplate
from .models import TemplateQuestion


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(MultilingualAdminMixin, admin.ModelAdmin):
    list_display = ("code", "text", "kind", "headline", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "text")


class TemplateQuestionInline(admin.TabularInline):
    model = TemplateQuestion
    extra = 0
    ordering = ("position",)


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(MultilingualAdminMixin, admin.ModelAdmin):
    list_display = ("name", "purpose", "is_default")
    list_filter = ("purpose",)
    inlines = [TemplateQuestionInline]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("session", "purpose", "anonymous", "opens_on", "closes_on")
    list_filter = ("purpose", "anonymous")
    readonly_fields = ("session", "purpose", "template", "anonymous", "created_by", "created_at")
