from django.contrib import admin

from ta_portal.multilingual import MultilingualAdminMixin

from .models import Agency
from .models import ControlledSubstance
from .models import Country
from .models import Engagement
from .models import Person
from .models import PhaseChange
from .models import Programme


@admin.register(Country)
class CountryAdmin(MultilingualAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "region", "subregion", "oas_member")
    list_filter = ("region", "oas_member")
    search_fields = ("code", "name")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "kind", "country")
    list_filter = ("kind", "country")
    search_fields = ("name", "acronym")
    autocomplete_fields = ["country"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "sex", "email", "agency", "country")
    list_filter = ("sex", "country")
    search_fields = ("full_name", "email")
    autocomplete_fields = ["agency", "country", "user"]
    list_select_related = ("agency", "country")


@admin.register(ControlledSubstance)
class ControlledSubstanceAdmin(MultilingualAdminMixin, admin.ModelAdmin):
    list_display = ("name", "listing", "cas_number", "used_for")
    list_filter = ("listing",)
    search_fields = ("name", "cas_number")
    filter_horizontal = ("countries",)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "funder", "start_date", "end_date")
    search_fields = ("name", "code")


class PhaseChangeInline(admin.TabularInline):
    model = PhaseChange
    extra = 0
    readonly_fields = ("from_phase", "to_phase", "changed_by", "changed_at")
    can_delete = False


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ("title", "country", "phase", "programme", "start_date", "end_date")
    list_filter = ("phase", "programme", "country")
    search_fields = ("title",)
    autocomplete_fields = ["country", "programme", "managers", "focal_points"]
    inlines = [PhaseChangeInline]
