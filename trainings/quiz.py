"""Online quiz results as files: Moodle's quiz "Grades" report and a generic sheet of marks per question.

This module only reads: it turns the lines of a CSV or XLSX file (``files.table_lines``) into
attempts, each with its row number, e-mail, state, dates, grade and marks as written in the file,
and lists what cannot be read (missing columns, unreadable cells). Checking the values against the
session (maxima, participants, exam forms) is ``quiz_import``'s work.

**Moodle** (Quiz → Results → Grades → Download, CSV or Excel): ``Surname``, ``First name``,
optional identity columns (``Institution``, ``Department``…), ``Email address``, ``State``,
``Started on``, ``Completed``, ``Time taken``, ``Grade/<max>``, then ``Q. <n> /<max>`` per question
(as ``mod/quiz/report/overview`` writes them when downloading). One row per attempt; a ``-`` is no
answer (or no attempt); the report ends with an "Overall average" row (and a "Group average" row
when filtered by group). Headers, states, number and date formats follow the language of the Moodle
site: English, Spanish, Portuguese and French are recognised.

**Generic** (KoboToolbox, a forms tool, a spreadsheet): one row per participant, ``email`` and
optionally ``full_name``, ``country`` and ``form``; one column per question, ``Q1``, ``Q2``… or
``1``, ``2``…; other columns are ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation

from django.utils.translation import gettext as _

from .files import ImportFileError

MOODLE = "moodle"
GENERIC = "generic"
SOURCES = (MOODLE, GENERIC)


class AttemptState:
    FINISHED = "finished"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    ABANDONED = "abandoned"
    NONE = "none"  # a user listed without any attempt


@dataclass
class QuizQuestion:
    number: int
    points: Decimal | None  # Moodle's header says it; a generic sheet takes it from the exam form
    column: str


@dataclass
class Attempt:
    row: int
    email: str
    full_name: str = ""
    country: str = ""
    form: str = ""
    state: str = AttemptState.FINISHED
    state_label: str = ""
    started: datetime | None = None
    finished: datetime | None = None
    started_text: str = ""
    grade: object = None  # as written in the file; None when the sheet has no grade (generic)
    marks: dict[int, object] = field(default_factory=dict)  # question number -> cell as written


@dataclass
class FileProblem:
    row: int | None
    column: str
    message: str


@dataclass
class QuizFile:
    source: str
    questions: list[QuizQuestion]
    attempts: list[Attempt]
    max_grade: Decimal | None = None
    grade_column: str = ""
    problems: list[FileProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    average_rows: list[int] = field(default_factory=list)
    email_column: str = "email"
    state_column: str = ""
    started_column: str = ""


def _plain(text) -> str:
    """Lower case, without accents or repeated spaces: how headers and states are compared."""
    text = unicodedata.normalize("NFKD", str(text if text is not None else ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def _cell(value) -> str:
    return "" if value is None else " ".join(str(value).split())


def is_blank(value) -> bool:
    return value is None or _cell(value) in ("", "-", "–")


# Moodle's headers in the languages of the portal (core and mod_quiz language strings).
MOODLE_HEADERS = {
    "surname": {
        "surname",
        "last name",
        "lastname",
        "apellido(s)",
        "apellidos",
        "apellido",
        "sobrenome",
        "apelido",
        "nom",
        "nom de famille",
    },
    "first_name": {"first name", "firstname", "nombre", "nome", "primeiro nome", "prenom"},
    "email": {
        "email address",
        "email",
        "e-mail",
        "e-mail address",
        "direccion de correo",
        "direccion email",
        "direccion de correo electronico",
        "correo electronico",
        "correo",
        "endereco de email",
        "endereco de e-mail",
        "endereco de correio eletronico",
        "adresse de courriel",
        "adresse courriel",
        "adresse e-mail",
        "adresse email",
        "courriel",
    },
    "state": {"state", "status", "estado", "situacao", "etat", "statut"},
    "started": {
        "started on",
        "started",
        "comenzado el",
        "iniciado el",
        "comenzado en",
        "iniciado em",
        "comecou em",
        "commence le",
    },
    "completed": {
        "completed",
        "completed on",
        "finalizado",
        "completado",
        "completado el",
        "finalizado el",
        "completo",
        "concluido",
        "concluida",
        "concluido em",
        "termine",
        "termine le",
        "acheve",
    },
    "time_taken": {
        "time taken",
        "tiempo requerido",
        "tiempo empleado",
        "tempo utilizado",
        "tempo gasto",
        "tempo requerido",
        "temps utilise",
        "temps passe",
    },
}
REQUIRED_MOODLE = ("email", "state")
MOODLE_STATES = {
    AttemptState.FINISHED: {
        "finished",
        "finalizado",
        "finalizada",
        "terminado",
        "terminada",
        "termine",
        "terminee",
        "concluido",
        "concluida",
    },
    AttemptState.IN_PROGRESS: {"in progress", "en curso", "en progreso", "em andamento", "em progresso", "en cours"},
    AttemptState.OVERDUE: {
        "overdue",
        "vencido",
        "vencida",
        "tiempo vencido",
        "atrasado",
        "atrasada",
        "expirado",
        "en retard",
        "temps depasse",
        "depasse",
    },
    AttemptState.ABANDONED: {
        "never submitted",
        "nunca enviado",
        "nunca enviada",
        "nunca presentado",
        "nunca submetido",
        "nunca submetida",
        "nunca enviado(a)",
        "jamais remis",
        "jamais soumis",
        "jamais envoye",
        "jamais remise",
    },
}
# The rows Moodle adds under the attempts (in the surname column when downloading).
AVERAGE_ROWS = {
    "overall average",
    "group average",
    "promedio general",
    "promedio del grupo",
    "media general",
    "media geral",
    "media do grupo",
    "moyenne generale",
    "moyenne du groupe",
}

GRADE_HEADER = re.compile(r"^[^\d/]+/\s*(?P<max>\d[\d.,]*)$")
QUESTION_HEADER = re.compile(r"^[^\d/]*?(?P<number>\d+)\s*/\s*(?P<max>\d[\d.,]*)$")


def decimal_from(value) -> Decimal | None:
    """A number as Moodle or a spreadsheet writes it (decimal point or comma); None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _cell(value).replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:  # 1,234.50 or 1.234,50
            text = (
                text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
            )
        else:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


def moodle_number(value) -> Decimal | None:
    """Moodle's grades may have up to five decimals; scores are kept to two (rounded half up)."""
    number = decimal_from(value)
    return None if number is None else number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _header_kind(header: str) -> str | None:
    plain = _plain(header)
    for kind, names in MOODLE_HEADERS.items():
        if plain in names:
            return kind
    return None


def _first_line(lines):
    for number, cells in enumerate(lines, start=1):
        if any(_cell(c) for c in cells):
            header = [_cell(c) for c in cells]
            while header and not header[-1]:
                header.pop()
            return number, header
    raise ImportFileError(_("The file is empty."))


def read_quiz_file(lines, source: str) -> QuizFile:
    lines = iter(lines)
    if source == MOODLE:
        return _read_moodle(lines)
    return _read_generic(lines)


def _repeated(header: list[str], problems: list[FileProblem], key=None) -> None:
    seen = set()
    for name in header:
        k = key(name) if key else name
        if k and k in seen:
            problems.append(FileProblem(None, name, _("This column appears twice.")))
        seen.add(k)


def _read_moodle(lines) -> QuizFile:
    header_line, header = _first_line(lines)
    problems: list[FileProblem] = []
    columns: dict[str, int] = {}
    questions: list[QuizQuestion] = []
    question_columns: dict[int, int] = {}
    max_grade, grade_column, grade_index = None, "", None
    for index, name in enumerate(header):
        kind = _header_kind(name)
        question = QUESTION_HEADER.match(name)
        grade = GRADE_HEADER.match(name)
        if kind and kind not in columns:
            columns[kind] = index
        elif question:
            number = int(question["number"])
            points = decimal_from(question["max"])
            if number in question_columns:
                problems.append(FileProblem(None, name, _("Question %(n)s has two columns.") % {"n": number}))
            elif not points or points <= 0:
                problems.append(FileProblem(None, name, _("The question's maximum is not a positive number.")))
            else:
                question_columns[number] = index
                questions.append(QuizQuestion(number, moodle_number(points), name))
        elif grade and grade_index is None:
            max_grade = decimal_from(grade["max"])
            grade_column, grade_index = name, index
    for kind in REQUIRED_MOODLE:
        if kind not in columns:
            label = {"email": "Email address", "state": "State"}[kind]
            problems.append(
                FileProblem(
                    None,
                    label,
                    _("The file has no %(column)s column: is it Moodle's quiz Grades report?") % {"column": label},
                )
            )
    if grade_index is None:
        problems.append(
            FileProblem(
                None, "Grade/…", _("The file has no Grade/<maximum> column: download the report with the grades.")
            )
        )
    elif not max_grade or max_grade <= 0:
        problems.append(FileProblem(None, grade_column, _("The grade's maximum is not a positive number.")))
    quiz = QuizFile(
        source=MOODLE,
        questions=sorted(questions, key=lambda q: q.number),
        attempts=[],
        max_grade=max_grade,
        grade_column=grade_column,
        problems=problems,
        email_column=header[columns["email"]] if "email" in columns else "Email address",
        state_column=header[columns["state"]] if "state" in columns else "State",
        started_column=header[columns["started"]] if "started" in columns else "Started on",
    )
    if problems:
        return quiz
    states = {name: state for state, names in MOODLE_STATES.items() for name in names}

    def value(cells, index):
        return cells[index] if index is not None and index < len(cells) else None

    for number, cells in enumerate(lines, start=header_line + 1):
        if not any(_cell(c) for c in cells):
            continue
        email = _cell(value(cells, columns["email"]))
        surname = _cell(value(cells, columns.get("surname")))
        first_name = _cell(value(cells, columns.get("first_name")))
        if not email:
            if _plain(surname) in AVERAGE_ROWS or _plain(first_name) in AVERAGE_ROWS:
                quiz.average_rows.append(number)
            else:
                problems.append(FileProblem(number, quiz.email_column, _("The row has no e-mail address.")))
            continue
        raw_state = _cell(value(cells, columns["state"]))
        state = AttemptState.NONE if is_blank(raw_state) else states.get(_plain(raw_state))
        if state is None:
            problems.append(
                FileProblem(
                    number,
                    quiz.state_column,
                    _("Unknown state %(state)s: Moodle writes Finished, In progress, Overdue or Never submitted.")
                    % {"state": repr(raw_state)},
                )
            )
            continue
        started_raw = value(cells, columns.get("started"))
        quiz.attempts.append(
            Attempt(
                row=number,
                email=email,
                full_name=" ".join(part for part in (first_name, surname) if part),
                state=state,
                state_label=raw_state,
                started=parse_datetime(started_raw),
                finished=parse_datetime(value(cells, columns.get("completed"))),
                started_text=_cell(started_raw),
                grade=value(cells, grade_index),
                marks={q: value(cells, i) for q, i in question_columns.items()},
            )
        )
    return quiz


GENERIC_HEADERS = {
    "email": {"email", "e_mail", "email_address", "correo", "correo_electronico", "courriel"},
    "full_name": {"full_name", "name", "nombre", "nome", "nom"},
    "country": {"country"},
    "form": {"form", "exam_form"},
}
GENERIC_QUESTION = re.compile(r"^(?:q|p|question|pregunta|questao)?_?(?P<number>\d+)$")


def _normalise(header: str) -> str:
    return "_".join(_plain(header).replace("-", " ").replace(".", " ").split())


def _read_generic(lines) -> QuizFile:
    header_line, header = _first_line(lines)
    problems: list[FileProblem] = []
    columns: dict[str, int] = {}
    question_columns: dict[int, int] = {}
    questions: list[QuizQuestion] = []
    ignored = []
    for index, name in enumerate(header):
        key = _normalise(name)
        kind = next((k for k, names in GENERIC_HEADERS.items() if key in names), None)
        question = GENERIC_QUESTION.match(key)
        if kind:
            if kind in columns:
                problems.append(FileProblem(None, name, _("This column appears twice.")))
            columns[kind] = index
        elif question:
            number = int(question["number"])
            if number in question_columns or number == 0:
                problems.append(FileProblem(None, name, _("Question %(n)s has two columns.") % {"n": number}))
                continue
            question_columns[number] = index
            questions.append(QuizQuestion(number, None, name))
        elif name:
            ignored.append(name)
    if "email" not in columns:
        problems.append(FileProblem(None, "email", _("The file needs an email column.")))
    if not questions:
        problems.append(FileProblem(None, "Q1", _("The file has no question columns (Q1, Q2… or 1, 2…).")))
    quiz = QuizFile(
        source=GENERIC,
        questions=sorted(questions, key=lambda q: q.number),
        attempts=[],
        problems=problems,
        ignored_columns=ignored,
        email_column=header[columns["email"]] if "email" in columns else "email",
    )
    if problems:
        return quiz

    def value(cells, index):
        return cells[index] if index is not None and index < len(cells) else None

    for number, cells in enumerate(lines, start=header_line + 1):
        if not any(_cell(c) for c in cells):
            continue
        email = _cell(value(cells, columns["email"]))
        if not email:
            problems.append(FileProblem(number, quiz.email_column, _("The row has no e-mail address.")))
            continue
        quiz.attempts.append(
            Attempt(
                row=number,
                email=email,
                full_name=_cell(value(cells, columns.get("full_name"))),
                country=_cell(value(cells, columns.get("country"))).upper(),
                form=_cell(value(cells, columns.get("form"))).upper(),
                marks={q: value(cells, i) for q, i in question_columns.items()},
            )
        )
    return quiz


# Dates --------------------------------------------------------------------------------------------

MONTHS = {}
for _number, _names in enumerate(
    (
        "january jan enero ene janeiro janvier janv",
        "february feb febrero fevereiro fev fevrier fevr",
        "march mar marzo marco mars",
        "april apr abril abr avril avr",
        "may mayo maio mai",
        "june jun junio junho juin",
        "july jul julio julho juillet juil",
        "august aug agosto ago aout",
        "september sep sept septiembre setiembre setembro set septembre",
        "october oct octubre outubro out octobre",
        "november nov noviembre novembro novembre",
        "december dec diciembre dic dezembro dez decembre",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([ap])\.?\s?m\b\.?)?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b")


def parse_datetime(value) -> datetime | None:
    """A date and time as Moodle writes them in its language ("13 March 2024  10:15 AM", "13 de marzo
    de 2024  10:15", "13 mars 2024  10:15", "13/03/24, 10:15") or as a spreadsheet stores them;
    None when it is not one."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = _plain(value).replace(",", " ")
    if not text or text == "-":
        return None
    day = month = year = None
    if match := _ISO.search(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC.search(text):
        day, month, year = (int(g) for g in match.groups())
        year += 2000 if year < 100 else 0
    else:
        tokens = re.findall(r"[a-z]+|\d+", text)
        for i, token in enumerate(tokens):
            if token in MONTHS and month is None:
                month = MONTHS[token]
                before = [t for t in tokens[:i] if t.isdigit() and len(t) <= 2]
                after = [t for t in tokens[i + 1 :] if t.isdigit() and len(t) <= 2]
                day_token = before[-1] if before else (after[0] if after else None)
                day = int(day_token) if day_token else None
        years = [t for t in tokens if t.isdigit() and len(t) == 4]
        year = int(years[0]) if years else None
    if not (day and month and year):
        return None
    hour = minute = second = 0
    if match := _TIME.search(_ISO.sub(" ", text)):
        hour, minute = int(match[1]), int(match[2])
        second = int(match[3] or 0)
        if match[4] == "p" and hour < 12:
            hour += 12
        elif match[4] == "a" and hour == 12:
            hour = 0
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
