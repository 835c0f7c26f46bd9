from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("trainings", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="course",
            name="translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The texts in the other languages; edited through the fields of each language.",
                verbose_name="translations",
            ),
        ),
    ]
