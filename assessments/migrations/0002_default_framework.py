from django.db import migrations


def load(apps, schema_editor):
    from assessments.framework_data import load_framework

    load_framework(apps.get_model("assessments", "Framework"), apps.get_model("assessments", "Dimension"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
