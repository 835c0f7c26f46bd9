"""The dashboards' rough edges: a country target is not named twice in a country's row, and every
dashboard filters by year with the same control."""

from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse

from engagements.models import Country
from outcomes.forms import CountryFilterForm
from outcomes.forms import YearForm
from outcomes.models import ActivityTarget
from tests.factories import EngagementFactory
from tests.factories import make_user

PERU = Country(code="PE", name="Peru", translations={"es": {"name": "Perú"}, "fr": {"name": "Pérou"}})


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Peru: 2 national trainings", "2 national trainings"),
        ("Perú: 2 capacitaciones nacionales", "2 capacitaciones nacionales"),
        ("PERU - 2 national trainings", "2 national trainings"),
        ("2 national trainings", "2 national trainings"),
        ("Peruvian customs trained", "Peruvian customs trained"),
        ("Peru:", "Peru:"),
    ],
)
def test_a_country_target_is_not_prefixed_with_its_country_twice(title, shown):
    assert ActivityTarget(title=title, country=PERU).title_under_country == shown


def test_a_programme_target_keeps_its_title():
    assert ActivityTarget(title="Peru: 2 national trainings").title_under_country == "Peru: 2 national trainings"


def test_the_behind_lists_use_the_title_under_the_country():
    for name in ("programme_dashboard.html", "annual_report.html"):
        text = (Path(settings.BASE_DIR) / "templates" / "outcomes" / name).read_text()
        assert "{% for e in row.behind %}{{ e.target.title }}" not in text
        assert "e.target.title_under_country" in text


def test_every_dashboard_offers_the_year_as_the_same_select():
    programme = YearForm(years=[2024, 2025, 2026]).fields["year"]
    country = CountryFilterForm(years=[2024, 2025, 2026], programmes=Country.objects.none()).fields["year"]
    for field in (programme, country):
        assert isinstance(field, forms.TypedChoiceField) and type(field.widget) is forms.Select
        assert field.label == "Year"
    assert [value for value, _label in programme.choices] == [2026, 2025, 2024]
    assert [value for value, _label in country.choices] == ["", 2026, 2025, 2024]


@pytest.mark.clock_sensitive  # the years offered end with next year
@pytest.mark.django_db
def test_the_country_dashboard_offers_the_years_as_a_select(client):
    EngagementFactory(country_id="PE", start_date=date(2023, 2, 1))
    client.force_login(make_user("viewer", "PE"))
    response = client.get(reverse("outcomes:country", args=["PE"]), {"year": "2023"})
    form = response.context["form"]
    assert form.cleaned_data["year"] == 2023
    assert 2023 in [value for value, _label in form.fields["year"].choices]
    assert '<select name="year"' in response.content.decode()
