"""The programme results framework now lives in the outcomes app (outcomes 0002 took its
tables): engagements forgets the models, the database keeps the rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0004_reference_translations"),
        ("outcomes", "0002_results_framework_from_engagements"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ActivityTarget"),
                migrations.DeleteModel(name="OutcomeTarget"),
                migrations.DeleteModel(name="ProgrammeObjective"),
            ],
        ),
    ]
