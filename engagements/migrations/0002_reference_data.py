from django.db import migrations


def load(apps, schema_editor):
    from engagements.reference_data import load_countries, load_substances

    load_countries(apps.get_model("engagements", "Country"))
    load_substances(apps.get_model("engagements", "ControlledSubstance"))


class Migration(migrations.Migration):
    dependencies = [("engagements", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
