from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Programme / project manager")
    TRAINER = "trainer", _("Trainer")
    COUNTERPART = "counterpart", _("National counterpart")
    VIEWER = "viewer", _("Viewer (donor, analyst)")


# Who may read and who may change a country's engagement data (engagements, agencies, people).
EVERY_ROLE = tuple(Role.values)
MANAGING_ROLES = (Role.ADMIN, Role.MANAGER)
