"""The results framework moved from the engagements app to outcomes (outcomes 0002, engagements
0005): objectives and targets recorded before the move are found, unchanged, after it."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("engagements", "0004_reference_translations"), ("outcomes", "0001_annual_progress_report")]
AFTER = [("engagements", "0005_results_framework_to_outcomes"), ("outcomes", "0002_results_framework_from_engagements")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_target_recorded_before_the_move_is_found_after_it():
    # given: the framework still in the engagements app, with an objective and two targets
    old = migrate(BEFORE)
    try:
        programme = old.get_model("engagements", "Programme").objects.create(
            name="Precursors", code="precursors", start_date=date(2024, 1, 1)
        )
        objective = old.get_model("engagements", "ProgrammeObjective").objects.create(
            programme=programme, code="O1", title="Better trained personnel", area="capacity"
        )
        activity = old.get_model("engagements", "ActivityTarget").objects.create(
            programme=programme,
            objective=objective,
            title="8 training webinars",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            session_kind="webinar",
            metric="sessions_held",
            target_value=8,
        )
        outcome = old.get_model("engagements", "OutcomeTarget").objects.create(
            programme=programme,
            title="Post-test mean at least 70 %",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            metric="post_mean_pct",
            target_value="70.00",
        )

        # when: the move runs
        new = migrate(AFTER)
    finally:
        migrate(migrate_to_latest())

    # then: the rows are in the outcomes app's tables, with their links
    moved_activity = new.get_model("outcomes", "ActivityTarget").objects.get(pk=activity.pk)
    assert (moved_activity.title, moved_activity.session_kind, moved_activity.target_value) == (
        "8 training webinars",
        "webinar",
        8,
    )
    assert moved_activity.objective.code == objective.code
    assert moved_activity.programme_id == programme.pk
    assert new.get_model("outcomes", "OutcomeTarget").objects.get(pk=outcome.pk).metric == "post_mean_pct"
    assert new.get_model("outcomes", "ActivityTarget")._meta.db_table == "outcomes_activitytarget"
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "engagements_activitytarget" not in tables
    assert {"outcomes_programmeobjective", "outcomes_activitytarget", "outcomes_outcometarget"} <= set(tables)


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
