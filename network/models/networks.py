"""Networks of officials and the agency groups a network meeting reports on."""

from django.conf import settings
from django.db import models
from django.db.models import Case
from django.db.models import Value
from django.db.models import When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import is_admin
from engagements.models import Agency
from engagements.models import Country
from ta_portal.models import created_at_field


class AgencyGroup(models.TextChoices):
    """The coarse agency kinds a network meeting reports on (tripartite: enforcement, regulators, industry)."""

    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    REGULATORY = "regulatory", _("Regulatory")
    PROSECUTION = "prosecution_judiciary", _("Prosecution / judiciary")
    INDUSTRY = "industry", _("Industry")
    OTHER = "other", _("Other")


# Every agency kind falls in exactly one group; people without an agency count as "other".
AGENCY_GROUP_OF_KIND = {
    Agency.Kind.CUSTOMS: AgencyGroup.LAW_ENFORCEMENT,
    Agency.Kind.POLICE: AgencyGroup.LAW_ENFORCEMENT,
    Agency.Kind.REGULATORY: AgencyGroup.REGULATORY,
    Agency.Kind.HEALTH: AgencyGroup.REGULATORY,
    Agency.Kind.PROSECUTION: AgencyGroup.PROSECUTION,
    Agency.Kind.INDUSTRY: AgencyGroup.INDUSTRY,
    Agency.Kind.FORENSIC: AgencyGroup.OTHER,
    Agency.Kind.OTHER: AgencyGroup.OTHER,
}


def agency_group_of(kind: str | None) -> str:
    return str(AGENCY_GROUP_OF_KIND.get(kind, AgencyGroup.OTHER)) if kind else str(AgencyGroup.OTHER)


def agency_group_expression(kind_path: str):
    """The agency group computed in SQL from the agency kind at ``kind_path`` (for counts and filters)."""
    whens = []
    for group in AgencyGroup.values:
        kinds = [str(kind) for kind, of in AGENCY_GROUP_OF_KIND.items() if of == group]
        if kinds:
            whens.append(When(**{f"{kind_path}__in": kinds}, then=Value(group)))
    return Case(*whens, default=Value(str(AgencyGroup.OTHER)), output_field=models.CharField())


class NetworkQuerySet(models.QuerySet):
    """A network's name and countries are known to every signed-in user; its members are not."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.all()

    def editable_by(self, user):
        if is_admin(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=NetworkMembership.objects.filter(user=user, is_coordinator=True).values("network"))

    def with_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=NetworkMembership.objects.filter(user=user).values("network"))


class Network(models.Model):
    """A standing network of officials, e.g. the Precursor Control Network of the Americas."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    countries = models.ManyToManyField(Country, blank=True, related_name="networks", verbose_name=_("countries"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="NetworkMembership", related_name="networks", verbose_name=_("members")
    )
    created_at = created_at_field()

    objects = NetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("network:network_detail", args=[self.pk])


class NetworkMembership(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships")
    is_coordinator = models.BooleanField(
        _("coordinator"), default=False, help_text=_("Coordinators manage the members, events and documents.")
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["network", "user__last_name", "user__username"]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [models.UniqueConstraint(fields=["network", "user"], name="network_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.network}"
