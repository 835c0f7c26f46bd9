"""Reference data in four languages: shipped translations, the admin's per-language fields, and
the fallback to English while a translation is missing."""

import pytest
from django.utils import translation

from assessments.framework_data import read_framework
from assessments.models import Dimension
from assessments.models import Framework
from engagements.models import ControlledSubstance
from engagements.models import Country
from tests.factories import make_user
from trainings.models import Course

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = ["es", "pt", "fr"]


@pytest.mark.parametrize(
    ("language", "peru", "anhydride"),
    [
        ("en", "Peru", "Acetic anhydride"),
        ("es", "Perú", "Anhídrido acético"),
        ("pt", "Peru", "Anidrido acético"),
        ("fr", "Pérou", "Anhydride acétique"),
    ],
)
def test_shipped_countries_and_substances_are_named_in_the_active_language(language, peru, anhydride):
    with translation.override(language):
        assert str(Country.objects.get(code="PE")) == peru
        assert str(ControlledSubstance.objects.get(name="Acetic anhydride")) == anhydride


def test_every_shipped_country_and_substance_has_a_name_in_every_language():
    for model in (Country, ControlledSubstance):
        missing = [
            (row.pk, language)
            for row in model.objects.all()
            for language in OTHER_LANGUAGES
            if not (row.translations.get(language) or {}).get("name")
        ]
        assert not missing, f"{model.__name__}: {missing[:10]}"


def test_the_default_framework_is_shipped_in_four_languages():
    # given: the default framework as loaded by the migrations
    data = read_framework()
    framework = Framework.objects.get(code=data["code"], version=data["version"])

    # then: its name, and every dimension's name, description and five levels exist in each language
    for language in OTHER_LANGUAGES:
        assert framework.translations[language]["name"], language
        for dimension in framework.dimensions.all():
            texts = [dimension.local_name(language), dimension.local_description(language)]
            texts += list(dimension.local_levels(language).values())
            english = [dimension.name, dimension.description, *dimension.levels.values()]
            untranslated = [text for text, source in zip(texts, english, strict=True) if text == source]
            assert not untranslated, f"{dimension.code} in {language}: {untranslated[:2]}"


def test_a_missing_translation_falls_back_to_english():
    course = Course.objects.create(title="Risk profiling", code="risk", translations={"es": {"title": "Perfiles"}})
    with translation.override("es"):
        assert course.local_title == "Perfiles"
    with translation.override("fr"):
        assert course.local_title == "Risk profiling"
        assert str(course) == "Risk profiling"


def test_the_admin_edits_a_course_in_each_language(client):
    # given: an administrator and a course known only in English
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    course = Course.objects.create(title="Risk profiling", code="risk", description="Selecting shipments.")

    # when: they fill in the Spanish, Portuguese and French fields of the course's admin page
    page = client.get(f"/admin/trainings/course/{course.pk}/change/")
    for name in ("title_es", "title_pt", "title_fr", "description_es", "description_pt", "description_fr"):
        assert f'name="{name}"' in page.content.decode()
    response = client.post(
        f"/admin/trainings/course/{course.pk}/change/",
        {
            "title": "Risk profiling",
            "code": "risk",
            "description": "Selecting shipments.",
            "is_active": "on",
            "application_survey_months": "4",
            "title_es": "Perfiles de riesgo",
            "title_pt": "Perfis de risco",
            "title_fr": "Profilage des risques",
            "description_es": "Selección de envíos.",
            "description_pt": "",
            "description_fr": "Sélection des envois.",
        },
    )

    # then: each language has its text, and an empty field leaves English to show
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Risk profiling"
    assert course.translations == {
        "es": {"title": "Perfiles de riesgo", "description": "Selección de envíos."},
        "pt": {"title": "Perfis de risco"},
        "fr": {"title": "Profilage des risques", "description": "Sélection des envois."},
    }
    with translation.override("pt"):
        assert (course.local_title, course.local_description) == ("Perfis de risco", "Selecting shipments.")


def test_the_admin_edits_the_levels_of_a_dimension_of_an_unused_framework_in_each_language(client):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    framework = Framework.objects.create(code="pilot", name="Pilot")
    dimension = Dimension.objects.create(
        framework=framework, code="legal", name="Legal", **{f"level_{n}": f"Level {n}" for n in range(1, 6)}
    )
    page = client.get(f"/admin/assessments/framework/{framework.pk}/change/").content.decode()
    assert 'name="dimensions-0-level_3_fr"' in page
    form = {
        "code": "pilot", "version": 1, "name": "Pilot", "description": "", "name_es": "Piloto", "name_pt": "",
        "name_fr": "", "description_es": "", "description_pt": "", "description_fr": "",
        "dimensions-TOTAL_FORMS": 1, "dimensions-INITIAL_FORMS": 1, "dimensions-MIN_NUM_FORMS": 0,
        "dimensions-MAX_NUM_FORMS": 1000, "dimensions-0-id": dimension.pk, "dimensions-0-framework": framework.pk,
        "dimensions-0-order": 0, "dimensions-0-code": "legal", "dimensions-0-name": "Legal",
        "dimensions-0-description": "",
        **{f"dimensions-0-level_{n}": f"Level {n}" for n in range(1, 6)},
        **{f"dimensions-0-{field}_{language}": "" for field in Dimension.TRANSLATED_FIELDS for language in OTHER_LANGUAGES},
        "dimensions-0-name_fr": "Juridique",
        "dimensions-0-level_3_fr": "Niveau 3",
    }
    response = client.post(f"/admin/assessments/framework/{framework.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    dimension.refresh_from_db()
    framework.refresh_from_db()
    assert framework.translations == {"es": {"name": "Piloto"}}
    assert dimension.translations == {"fr": {"name": "Juridique", "levels": {"3": "Niveau 3"}}}
    with translation.override("fr"):
        assert dimension.local_levels()["3"] == "Niveau 3"
        assert dimension.local_levels()["4"] == "Level 4"
