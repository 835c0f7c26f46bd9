"""``budgets/`` and ``transactions/`` (GET, POST, PATCH): the rows managers and administrators see
(docs/API.md, "Money"). Amounts are decimal strings, never floats."""

from __future__ import annotations

import django_filters
from rest_framework import serializers
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from accounts.scoping import scope_for
from assessments.models import Assessment
from assessments.models import Roundtable
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import Programme
from engagements.selectors import programmes_reached
from network.models import NetworkEvent
from ta_portal.api import PortalModelSerializer
from ta_portal.api import ScopedViewSetMixin
from trainings.models import TrainingSession

from . import services
from .models import MONEY_ROW_ROLES
from .models import Budget
from .models import Transaction


class VisibleField(serializers.PrimaryKeyRelatedField):
    """A reference to a row the caller can see (anything else reads as not found)."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)


class ProgrammeCodeField(serializers.SlugRelatedField):
    """A programme by its code, among those with an engagement in a country the caller manages."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Programme.objects.all(), **kwargs)

    def get_queryset(self):
        return programmes_reached(scope_for(self.context["request"].user, MONEY_ROW_ROLES))


def _optional(model):
    return VisibleField(queryset=model.objects.all(), required=False, allow_null=True)


class MoneySerializer(PortalModelSerializer):
    programme = ProgrammeCodeField()
    engagement = _optional(Engagement)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    def create(self, validated_data):
        return self.save_row(None, validated_data)

    def update(self, instance, validated_data):
        return self.save_row(instance, validated_data)


class BudgetSerializer(MoneySerializer):
    class Meta:
        model = Budget
        fields = [
            "id",
            "programme",
            "engagement",
            "period_start",
            "period_end",
            "amount",
            "currency",
            "status",
            "created_at",
            "updated_at",
        ]

    def save_row(self, instance, fields):
        return services.budget_save(by=self.context["request"].user, budget=instance, **fields)


class TransactionSerializer(MoneySerializer):
    session = _optional(TrainingSession)
    network_event = _optional(NetworkEvent)
    roundtable = _optional(Roundtable)
    assessment = _optional(Assessment)
    participant = _optional(Person)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "programme",
            "engagement",
            "kind",
            "date",
            "amount",
            "currency",
            "description",
            "session",
            "network_event",
            "roundtable",
            "assessment",
            "participant",
            "created_at",
            "updated_at",
        ]

    def save_row(self, instance, fields):
        return services.transaction_save(by=self.context["request"].user, record=instance, **fields)


class MoneyFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(field_name="programme__code")
    country = django_filters.CharFilter(method="filter_country")

    def filter_country(self, queryset, name, value):
        return queryset.filter(engagement__country_id=value.upper())


class BudgetFilter(MoneyFilter):
    class Meta:
        model = Budget
        fields = ["programme", "engagement", "country", "currency", "status"]


class TransactionFilter(MoneyFilter):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Transaction
        fields = ["programme", "engagement", "country", "currency", "kind", "date_from", "date_to"]


class MoneyViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    def list(self, request, *args, **kwargs):
        # A role that never reads money rows (trainers, counterparts, viewers) is refused, not shown an empty list.
        if not self.queryset.model.objects.readable_by(request.user):
            raise PermissionDenied
        return super().list(request, *args, **kwargs)


class BudgetViewSet(MoneyViewSet):
    """Budgets of programmes and engagements (managers and administrators of their countries)."""

    queryset = Budget.objects.select_related("programme").order_by("programme_id", "period_start", "pk")
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter


class TransactionViewSet(MoneyViewSet):
    """Commitments, disbursements and expenditures (managers and administrators of their countries)."""

    queryset = Transaction.objects.select_related("programme").order_by("programme_id", "date", "pk")
    serializer_class = TransactionSerializer
    filterset_class = TransactionFilter


def register(router) -> None:
    router.register("budgets", BudgetViewSet, basename="budget")
    router.register("transactions", TransactionViewSet, basename="transaction")
