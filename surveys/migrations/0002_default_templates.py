from django.db import migrations

from surveys.defaults import load_defaults


def create(apps, schema_editor):
    load_defaults(
        apps.get_model("surveys", "SurveyQuestion"),
        apps.get_model("surveys", "SurveyTemplate"),
        apps.get_model("surveys", "TemplateQuestion"),
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
