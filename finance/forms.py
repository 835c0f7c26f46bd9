from django import forms
from django.db.models import Q

from assessments.models import Assessment
from assessments.models import Roundtable
from engagements.forms import DateBoundsMixin
from engagements.models import Engagement
from engagements.models import Person
from network.models import NetworkEvent
from trainings.models import TrainingSession

from .models import Budget
from .models import IatiPublication
from .models import Transaction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoneyForm(DateBoundsMixin, forms.ModelForm):
    """The programme comes from the page; the engagement from those of the programme the user manages;
    dates within the portal's bounds."""

    def __init__(self, *args, user, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["engagement"].queryset = (
            Engagement.objects.editable_by(user).filter(programme=programme).select_related("country")
        )


class BudgetForm(MoneyForm):
    class Meta:
        model = Budget
        fields = ["engagement", "period_start", "period_end", "amount", "currency", "status"]
        widgets = {"period_start": DATE, "period_end": DATE}


class TransactionForm(MoneyForm):
    class Meta:
        model = Transaction
        fields = [
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
        ]
        widgets = {"date": DATE}

    def __init__(self, *args, user, programme, **kwargs):
        super().__init__(*args, user=user, programme=programme, **kwargs)
        engagements = Engagement.objects.filter(programme=programme)
        self.fields["session"].queryset = TrainingSession.objects.visible_to(user).filter(
            Q(engagement__in=engagements) | Q(engagement__isnull=True)
        )
        self.fields["network_event"].queryset = NetworkEvent.objects.visible_to(user).filter(
            Q(programme=programme) | Q(programme__isnull=True)
        )
        self.fields["roundtable"].queryset = Roundtable.objects.visible_to(user).filter(engagement__in=engagements)
        self.fields["assessment"].queryset = Assessment.objects.visible_to(user).filter(engagement__in=engagements)
        self.fields["participant"].queryset = Person.objects.visible_to(user)


class IatiPublicationForm(forms.ModelForm):
    class Meta:
        model = IatiPublication
        fields = ["public"]
