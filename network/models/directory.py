"""The expert directory: people who opted in, each deciding whether their contact details show."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.scoping import has_role
from engagements.models import Person
from ta_portal.models import acting_user_field
from ta_portal.models import updated_at_field

from .networks import NetworkMembership


def directory_readers_allowed(user) -> bool:
    """Who may read the expert directory: officials (any role but viewer) and network members.

    Viewers (donors, analysts) get figures, not people, as elsewhere in the portal.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if has_role(user, Role.ADMIN, Role.MANAGER, Role.TRAINER, Role.COUNTERPART):
        return True
    return NetworkMembership.objects.filter(user=user).exists()


class ExpertProfileQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(opted_in=True)

    def visible_to(self, user):
        """The directory: every opted-in expert, whatever the country, for directory readers."""
        if not directory_readers_allowed(user):
            return self.none()
        return self.listed()

    def editable_by(self, user):
        """The expert themself, or whoever may change the person's record (managers, trainers)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(person__user=user) | Q(person__in=Person.objects.editable_by(user)))


class ExpertProfile(models.Model):
    """A person's entry in the expert directory; listed only once they opted in."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="expert_profile")
    opted_in = models.BooleanField(
        _("listed in the directory"),
        default=False,
        help_text=_("The person agreed to appear in the network's expert directory."),
    )
    show_contact = models.BooleanField(
        _("show my contact details"),
        default=False,
        help_text=_("When off, the e-mail address and telephone never appear in the directory, its API or vCards."),
    )
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    expertise = models.CharField(
        _("expertise"),
        max_length=500,
        blank=True,
        help_text=_("Keywords, separated by commas, e.g. pre-export notifications, clandestine laboratories."),
    )
    topics = models.ManyToManyField(
        "assessments.Dimension", blank=True, related_name="experts", verbose_name=_("topics")
    )
    languages = models.CharField(_("languages spoken"), max_length=100, blank=True)
    bio = models.TextField(_("short biography"), blank=True)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_recorded_by = acting_user_field()
    updated_at = updated_at_field()

    objects = ExpertProfileQuerySet.as_manager()

    class Meta:
        ordering = ["person__full_name"]
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return str(self.person)

    def get_absolute_url(self) -> str:
        return reverse("network:expert_detail", args=[self.pk])
