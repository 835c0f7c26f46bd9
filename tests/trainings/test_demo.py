"""The demo's regional webinar takes its post exam from a Moodle quiz, imported through the quiz import."""

import io

from engagements import demo as engagements_demo
from trainings import demo
from trainings import selectors
from trainings.models import ItemScore
from trainings.models import ScoreChange
from trainings.models import TrainingSession


def test_the_webinars_post_exam_is_an_imported_moodle_quiz_with_several_attempts(db, monkeypatch):
    outcomes = []

    def spy(**kwargs):
        outcome = demo_import(**kwargs)
        outcomes.append(outcome)
        return outcome

    demo_import = demo.quiz_results_import
    monkeypatch.setattr(demo, "quiz_results_import", spy)
    out = io.StringIO()
    engagements_demo.seed(out)

    demo.seed(out)

    (outcome,) = outcomes
    assert outcome.errors == [] and outcome.dry_run is False
    assert any(p.finished_attempts > 1 for p in outcome.participants)
    assert outcome.exam_form["code"] == "M" and outcome.exam_form["created"]
    session = TrainingSession.objects.get(title=demo.QUIZ_SESSION)
    post_sources = set(
        ScoreChange.objects.filter(enrolment__session=session, phase="post").values_list("source", flat=True)
    )
    assert post_sources == {"quiz"}
    assert session.enrolments.filter(post_score__isnull=False).count() == len(outcome.participants)
    assert ItemScore.objects.filter(enrolment__session=session, phase="post").exists()
    (analysis,) = selectors.item_analysis(session)
    assert analysis["form"].code == "M" and analysis["n_post"] > 0
