from django.db import migrations, models

TRANSLATIONS = dict(
    blank=True,
    default=dict,
    help_text="The texts in the other languages; edited through the fields of each language.",
    verbose_name="translations",
)


def load(apps, schema_editor):
    from engagements.reference_data import load_translations

    load_translations(apps.get_model("engagements", "Country"), apps.get_model("engagements", "ControlledSubstance"))


class Migration(migrations.Migration):
    dependencies = [("engagements", "0003_results_framework")]

    operations = [
        migrations.AddField(
            model_name="country",
            name="translations",
            field=models.JSONField(**TRANSLATIONS),
        ),
        migrations.AddField(
            model_name="controlledsubstance",
            name="translations",
            field=models.JSONField(**TRANSLATIONS),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
