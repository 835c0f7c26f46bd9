"""The two precursors of fentanyl placed in Table I of the 1988 Convention by the Commission on
Narcotic Drugs in March 2024, as data/precursors-1988-convention.csv lists
them, with their names in the other languages (data/reference-translations.json)."""

from django.db import migrations

MARCH_2024 = {"41661-47-6", "79099-07-3"}  # 4-piperidone, 1-boc-4-piperidone


def add(apps, schema_editor):
    from engagements.reference_data import load_substances
    from engagements.reference_data import load_translations

    substance = apps.get_model("engagements", "ControlledSubstance")
    load_substances(substance, cas_numbers=MARCH_2024)
    load_translations(apps.get_model("engagements", "Country"), substance)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0009_phase_change_reason")]

    # Going back keeps the rows: findings, measures and documents may name them by now.
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
