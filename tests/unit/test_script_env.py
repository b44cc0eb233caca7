"""BPMN expressions run restricted: escapes and resource bombs are refused, normal ones work."""

from __future__ import annotations

import threading

import pytest

from workflows.errors import ExpressionError
from workflows.script_env import RestrictedEnvironment, add_duration, evaluate, parse_duration

ESCAPES = [
    "__import__('os').system('id')",
    "open('/etc/passwd').read()",
    "().__class__.__base__",
    "().__class__.__base__.__subclasses__()",
    "getattr((), '__class__')",
    "[c for c in ().__class__.__mro__]",
    "eval('1')",
    "exec('x = 1')",
    "globals()",
    "(lambda: 0).__code__",
    "type(1)",
    "vars()",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_escape_attempts_are_refused(expression: str) -> None:
    with pytest.raises((ExpressionError, NameError)):
        evaluate(expression, {})


@pytest.mark.parametrize(
    "expression",
    [
        "'a' * 10**10",
        "[0] * 10**8",
        "9 ** 9 ** 9",
        "1 << 10**9",
        "sum(range(10**12))",
        "'x'.ljust(10**10)",
        "'{:>999999999}'.format(1)",
    ],
)
def test_memory_bombs_are_refused(expression: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(expression, {})


def test_endless_work_is_stopped_by_the_time_limit() -> None:
    with pytest.raises(ExpressionError, match="longer than"):
        evaluate("[a * b for a in range(99999) for b in range(99999)]", {}, seconds=0.2)


def test_time_limit_works_outside_the_main_thread() -> None:
    caught: list[BaseException] = []

    def run() -> None:
        try:
            evaluate("[a for a in range(99999) for b in range(99999)]", {}, seconds=0.2)
        except ExpressionError as exc:
            caught.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(10)
    assert len(caught) == 1


def test_scripts_cannot_import_or_open() -> None:
    environment = RestrictedEnvironment()
    for script in ("import os", "f = open('/etc/passwd')", "x = ().__class__"):
        with pytest.raises((ExpressionError, NameError, ImportError)):
            environment.execute(script, {})


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        (
            "design_gate_review_decision == 'approved'",
            {"design_gate_review_decision": "approved"},
            True,
        ),
        ("plastering_done == True", {"plastering_done": False}, False),
        ("bool(unrectifiable_issues)", {"unrectifiable_issues": 3}, True),
        ("len([x for x in items if x > 1]) * 2", {"items": [1, 2, 3]}, 4),
        (
            "add_duration(planned_handover_date, '-P1M')",
            {"planned_handover_date": "2027-03-31"},
            "2027-02-28T00:00:00+00:00",
        ),
    ],
)
def test_ordinary_conditions_evaluate(expression: str, data: dict, expected: object) -> None:
    assert evaluate(expression, data) == expected


def test_script_results_land_in_task_data() -> None:
    data = {"count": 2}
    RestrictedEnvironment().execute("count = count + 1\nlabel = 'n=' + str(count)", data)
    assert data == {"count": 3, "label": "n=3"}


@pytest.mark.parametrize(
    ("value", "duration", "expected"),
    [
        ("2027-01-31", "P1M", "2027-02-28T00:00:00+00:00"),
        ("2027-05-15", "-P1M", "2027-04-15T00:00:00+00:00"),
        ("2027-11-30", "P3M", "2028-02-29T00:00:00+00:00"),
        ("2027-01-01T08:00:00+08:00", "P14D", "2027-01-15T00:00:00+00:00"),
        ("2027-01-01", "PT36H", "2027-01-02T12:00:00+00:00"),
    ],
)
def test_add_duration_does_calendar_arithmetic(value: str, duration: str, expected: str) -> None:
    assert add_duration(value, duration) == expected


@pytest.mark.parametrize("bad", ["14D", "P", "PXD", "", "P1.5D"])
def test_bad_durations_are_refused(bad: str) -> None:
    with pytest.raises(ExpressionError, match="ISO 8601"):
        parse_duration(bad)
