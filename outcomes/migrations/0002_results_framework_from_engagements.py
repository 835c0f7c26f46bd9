"""The programme results framework (objectives, activity and outcome targets) moves from the
engagements app to outcomes, its rows with it.

The models enter the outcomes state on the tables engagements made (no database change), then
their tables are renamed to outcomes' names; engagements 0005 then drops them from its own state,
again without touching the database.
"""

import django.db.models.deletion
from django.db import migrations, models

OLD_TABLES = {
    "programmeobjective": "engagements_programmeobjective",
    "activitytarget": "engagements_activitytarget",
    "outcometarget": "engagements_outcometarget",
}


def _on_old_tables(operation):
    if isinstance(operation, migrations.CreateModel):
        operation.options["db_table"] = OLD_TABLES[operation.name.lower()]
    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0004_reference_translations"),
        ("outcomes", "0001_annual_progress_report"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                _on_old_tables(operation)
                for operation in [
                    migrations.CreateModel(
                        name="ProgrammeObjective",
                        fields=[
                            (
                                "id",
                                models.BigAutoField(
                                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                                ),
                            ),
                            (
                                "code",
                                models.CharField(
                                    help_text="Short reference, e.g. O1.", max_length=20, verbose_name="code"
                                ),
                            ),
                            ("title", models.CharField(max_length=300, verbose_name="title")),
                            (
                                "area",
                                models.CharField(
                                    choices=[
                                        ("capacity", "Personnel capacity"),
                                        ("control", "Control efficiency"),
                                        ("coordination", "National coordination"),
                                        ("delivery", "Delivery of assistance"),
                                    ],
                                    default="delivery",
                                    max_length=20,
                                    verbose_name="outcome area",
                                ),
                            ),
                            ("description", models.TextField(blank=True, verbose_name="description")),
                            ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                            (
                                "programme",
                                models.ForeignKey(
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="objectives",
                                    to="engagements.programme",
                                    verbose_name="programme",
                                ),
                            ),
                        ],
                        options={
                            "verbose_name": "programme objective",
                            "verbose_name_plural": "programme objectives",
                            "ordering": ["programme_id", "order", "code"],
                        },
                    ),
                    migrations.CreateModel(
                        name="OutcomeTarget",
                        fields=[
                            (
                                "id",
                                models.BigAutoField(
                                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                                ),
                            ),
                            ("title", models.CharField(max_length=300, verbose_name="title")),
                            ("period_start", models.DateField(verbose_name="period start")),
                            ("period_end", models.DateField(verbose_name="period end")),
                            (
                                "session_kind",
                                models.CharField(
                                    blank=True,
                                    choices=[
                                        ("training", "Training"),
                                        ("mentoring", "Mentoring"),
                                        ("webinar", "Webinar"),
                                        ("workshop", "Workshop"),
                                        ("study_visit", "Study visit"),
                                    ],
                                    help_text="Training metrics only: count or pool only this kind of session.",
                                    max_length=20,
                                    verbose_name="kind of session",
                                ),
                            ),
                            ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                            (
                                "metric",
                                models.CharField(
                                    choices=[
                                        ("post_mean_pct", "Post-test mean (%)"),
                                        ("mean_gain_pct", "Mean pre/post gain (percentage points)"),
                                        ("normalized_gain", "Normalized gain (0–1)"),
                                        ("post_pass_rate", "Post-test pass rate (%)"),
                                        ("implementation_rate", "Measure implementation rate (%)"),
                                        ("implemented_within", "Agreed measures implemented within N months (%)"),
                                        ("followup_compliance", "Follow-up rounds submitted on time (%)"),
                                        ("maturity_change", "Mean maturity change since baseline (levels)"),
                                    ],
                                    max_length=40,
                                    verbose_name="metric",
                                ),
                            ),
                            (
                                "comparator",
                                models.CharField(
                                    choices=[("gte", "≥"), ("lte", "≤")],
                                    default="gte",
                                    max_length=3,
                                    verbose_name="comparison",
                                ),
                            ),
                            (
                                "target_value",
                                models.DecimalField(decimal_places=2, max_digits=8, verbose_name="target"),
                            ),
                            (
                                "within_months",
                                models.PositiveSmallIntegerField(
                                    blank=True,
                                    help_text="For “implemented within N months”: N, counted from the day the measure was agreed.",
                                    null=True,
                                    verbose_name="within months",
                                ),
                            ),
                            (
                                "country",
                                models.ForeignKey(
                                    blank=True,
                                    help_text="Empty: the target is for the whole programme.",
                                    null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+",
                                    to="engagements.country",
                                    verbose_name="country",
                                ),
                            ),
                            (
                                "programme",
                                models.ForeignKey(
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="%(class)ss",
                                    to="engagements.programme",
                                    verbose_name="programme",
                                ),
                            ),
                            (
                                "objective",
                                models.ForeignKey(
                                    blank=True,
                                    null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+",
                                    to="outcomes.programmeobjective",
                                    verbose_name="objective",
                                ),
                            ),
                        ],
                        options={
                            "verbose_name": "outcome target",
                            "verbose_name_plural": "outcome targets",
                            "ordering": ["programme_id", "order", "period_start", "pk"],
                            "abstract": False,
                        },
                    ),
                    migrations.CreateModel(
                        name="ActivityTarget",
                        fields=[
                            (
                                "id",
                                models.BigAutoField(
                                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                                ),
                            ),
                            ("title", models.CharField(max_length=300, verbose_name="title")),
                            ("period_start", models.DateField(verbose_name="period start")),
                            ("period_end", models.DateField(verbose_name="period end")),
                            (
                                "session_kind",
                                models.CharField(
                                    blank=True,
                                    choices=[
                                        ("training", "Training"),
                                        ("mentoring", "Mentoring"),
                                        ("webinar", "Webinar"),
                                        ("workshop", "Workshop"),
                                        ("study_visit", "Study visit"),
                                    ],
                                    help_text="Training metrics only: count or pool only this kind of session.",
                                    max_length=20,
                                    verbose_name="kind of session",
                                ),
                            ),
                            ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                            (
                                "metric",
                                models.CharField(
                                    choices=[
                                        ("sessions_held", "Training sessions held"),
                                        ("people_trained", "People trained (distinct participants)"),
                                        ("engagements_started", "Technical assistance actions started"),
                                        ("engagements_reaching_phase", "Engagements that reached a phase"),
                                        ("assessments_completed", "National assessments completed"),
                                        ("roundtables_held", "Roundtables held"),
                                        ("measures_agreed", "Measures agreed"),
                                    ],
                                    max_length=40,
                                    verbose_name="metric",
                                ),
                            ),
                            (
                                "phase",
                                models.CharField(
                                    blank=True,
                                    choices=[
                                        ("planning", "Planning"),
                                        ("assessment", "Assessment"),
                                        ("roundtable", "Roundtable"),
                                        ("capacity_building", "Capacity building"),
                                        ("follow_up", "Follow-up"),
                                        ("closed", "Closed"),
                                    ],
                                    help_text="For “engagements that reached a phase”: the phase.",
                                    max_length=20,
                                    verbose_name="phase",
                                ),
                            ),
                            ("target_value", models.PositiveIntegerField(verbose_name="target")),
                            (
                                "country",
                                models.ForeignKey(
                                    blank=True,
                                    help_text="Empty: the target is for the whole programme.",
                                    null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+",
                                    to="engagements.country",
                                    verbose_name="country",
                                ),
                            ),
                            (
                                "programme",
                                models.ForeignKey(
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="%(class)ss",
                                    to="engagements.programme",
                                    verbose_name="programme",
                                ),
                            ),
                            (
                                "objective",
                                models.ForeignKey(
                                    blank=True,
                                    null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+",
                                    to="outcomes.programmeobjective",
                                    verbose_name="objective",
                                ),
                            ),
                        ],
                        options={
                            "verbose_name": "activity target",
                            "verbose_name_plural": "activity targets",
                            "ordering": ["programme_id", "order", "period_start", "pk"],
                            "abstract": False,
                        },
                    ),
                    migrations.AddConstraint(
                        model_name="programmeobjective",
                        constraint=models.UniqueConstraint(
                            fields=("programme", "code"), name="objective_unique_code_per_programme"
                        ),
                    ),
                    migrations.AddConstraint(
                        model_name="outcometarget",
                        constraint=models.CheckConstraint(
                            condition=models.Q(("period_end__gte", models.F("period_start"))),
                            name="outcome_target_period_order",
                        ),
                    ),
                    migrations.AddConstraint(
                        model_name="activitytarget",
                        constraint=models.CheckConstraint(
                            condition=models.Q(("period_end__gte", models.F("period_start"))),
                            name="activity_target_period_order",
                        ),
                    ),
                ]
            ],
        ),
        migrations.AlterModelTable(name="programmeobjective", table=None),
        migrations.AlterModelTable(name="activitytarget", table=None),
        migrations.AlterModelTable(name="outcometarget", table=None),
    ]
