"""What the apps' admin pages share."""

from django.contrib import admin


class HistoryInline(admin.TabularInline):
    """Rows the application records as things happen (status changes, file versions): the admin lists
    them under their owner and neither adds nor deletes any."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False
