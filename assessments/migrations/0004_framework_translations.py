from django.db import migrations, models


def load(apps, schema_editor):
    from assessments.framework_data import load_framework_translations

    load_framework_translations(apps.get_model("assessments", "Framework"), apps.get_model("assessments", "Dimension"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_roundtable_time_zone")]

    operations = [
        migrations.AddField(
            model_name="framework",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The texts in the other languages; edited through the fields of each language.",
                verbose_name="translations",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
