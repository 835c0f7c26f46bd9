"""``manage.py import_history FILE [--dry-run] --user USERNAME``: the summary per sheet, every
error, and an exit status that says whether it went through."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from engagements.models import Engagement
from history.management.commands.import_history import Command
from history.models import HistoryImport
from tests.history.conftest import ENGAGEMENT
from tests.history.conftest import MEASURE
from tests.history.conftest import small
from tests.history.conftest import workbook


def command(*args) -> str:
    out = io.StringIO()
    call_command("import_history", *args, stdout=out)
    return out.getvalue()


def imported() -> bool:
    return Engagement.objects.filter(title=ENGAGEMENT["title"]).exists()


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "peru-2011.xlsx"
    path.write_bytes(workbook(**small()))
    return path


@pytest.fixture
def bad(tmp_path):
    path = tmp_path / "peru-wrong.xlsx"
    path.write_bytes(workbook(**small(engagements=[{**ENGAGEMENT, "country": "ZZ"}, {**ENGAGEMENT, "ref": "E2"}])))
    return path


def test_a_dry_run_prints_the_summary_and_saves_nothing(manager, good):
    text = command(str(good), "--user", manager.username, "--dry-run")
    assert "Dry run of peru-2011.xlsx (SHA-256 " in text
    assert "  engagements: 1 created, 0 updated, 0 unchanged" in text
    assert "  updates: 1 created, 0 updated, 0 unchanged" in text
    assert text.index("engagements:") < text.index("assessments:") < text.index("updates:")
    assert not imported()
    assert HistoryImport.objects.get().dry_run


def test_an_import_saves_and_a_second_one_changes_nothing(manager, good):
    assert "  measures: 1 created, 0 updated, 0 unchanged" in command(str(good), "--user", manager.username)
    assert imported()
    assert "  measures: 0 created, 0 updated, 1 unchanged" in command(str(good), "--user", manager.username)


def test_errors_are_each_printed_and_fail_the_command(manager, bad):
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^Errors: 1; nothing was saved\.$"):
        call_command("import_history", str(bad), "--user", manager.username, stdout=out)
    assert "  engagements, row 2, country: Unknown country “ZZ”." in out.getvalue()
    assert not Engagement.objects.filter(title=MEASURE["title"]).exists()
    assert not imported()


def test_the_exit_status_is_not_zero_when_there_are_errors(manager, bad, good, capsys):
    with pytest.raises(SystemExit) as failed:
        Command().run_from_argv(["manage.py", "import_history", str(bad), "--user", manager.username])
    assert failed.value.code == 1
    assert "nothing was saved" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("who", "content", "message"),
    [
        ("counterpart", None, "Only managers and administrators import history workbooks."),
        ("nobody", None, "No active user “nobody”."),
        ("manager", b"ref,country\n", "is not an Excel workbook (.xlsx)"),
    ],
)
def test_who_may_not_import_or_what_is_not_a_workbook_is_refused(world, tmp_path, good, who, content, message):
    path = good
    if content is not None:
        path = tmp_path / "notes.xlsx"
        path.write_bytes(content)
    username = world.users[who].username if who in world.users else who
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        command(str(path), "--user", username)
    assert not HistoryImport.objects.exists()
