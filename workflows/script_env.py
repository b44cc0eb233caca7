"""Restricted evaluation of BPMN conditions, timer expressions and scripts.

Owns: how untrusted expression text from a BPMN file is compiled and run. Conditions and
scripts are compiled by RestrictedPython (no imports, no dunder or private attributes, no
`open`, whitelisted builtins) with its access guards, plus three limits of our own:
- multiplication, power and shifts go through `_arith_`, which refuses results that would be
  huge (`'a' * 10**10`, `9 ** 9 ** 9`);
- `range` is capped and padding string methods (`ljust`, `zfill`, ...) are refused;
- a wall-clock budget enforced with `sys.settrace`, which works in any thread (Streamlit runs
  pages outside the main thread, where `signal.alarm` cannot be used).
Must not import anything from `anju`.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any, ClassVar

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import (
    default_guarded_getitem,
    default_guarded_getiter,
)
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from workflows.errors import ExpressionError

TIME_LIMIT_SECONDS = 0.5
MAX_SEQUENCE = 100_000
MAX_INT_BITS = 4_096
_REFUSED_STR_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs", "format"})


# ---------------------------------------------------------------- functions BPMN may call
_DURATION = re.compile(
    r"^(?P<sign>[-+])?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?"
    r"(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?)?$"
)


def parse_duration(text: str) -> tuple[int, int, timedelta]:
    """Split an ISO 8601 duration (optionally signed) into (sign, months, rest).

    >>> parse_duration("-P1M")
    (-1, 1, datetime.timedelta(0))
    """
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or text.strip().lstrip("+-") == "P":
        raise ExpressionError(f"'{text}' is not an ISO 8601 duration such as P14D or -P1M")
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k != "sign"}
    sign = -1 if match.group("sign") == "-" else 1
    months = parts.get("years", 0) * 12 + parts.get("months", 0)
    rest = timedelta(
        weeks=parts.get("weeks", 0),
        days=parts.get("days", 0),
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
    )
    return sign, months, rest


def add_months(moment: datetime, months: int) -> datetime:
    """Move `moment` by whole calendar months, clamping the day to the month's length."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ExpressionError(f"cannot move {moment.isoformat()} by {months} months")


def to_datetime(value: str | date | datetime) -> datetime:
    """Read a date or datetime (ISO text or object) as an aware UTC datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ExpressionError(f"'{value}' is not an ISO 8601 date") from exc
    else:
        raise ExpressionError(f"expected an ISO 8601 date, got {type(value).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def add_duration(value: str | date | datetime, duration: str) -> str:
    """Return the ISO datetime `duration` (e.g. "P3M", "-P1M") after `value`, in UTC.

    This is the function BPMN timer expressions use: `add_duration(move_in_date, "P3M")`.
    """
    sign, months, rest = parse_duration(duration)
    moment = add_months(to_datetime(value), sign * months) + sign * rest
    return moment.isoformat()


# ---------------------------------------------------------------- the restricted compiler
class _AnjuPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, with `*`, `**` and `<<` routed through `_arith_`."""

    _GUARDED: ClassVar[dict[type, str]] = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        visited = self.node_contents_visit(node)
        assert isinstance(visited, ast.BinOp)
        node = visited
        symbol = self._GUARDED.get(type(node.op))
        if symbol is None:
            return node
        func = ast.copy_location(ast.Name(id="_arith_", ctx=ast.Load()), node)
        op = ast.copy_location(ast.Constant(symbol), node)
        call = ast.Call(func=func, args=[op, node.left, node.right], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _REFUSED_NAMES:
            self.error(node, f'"{node.id}" is not available in BPMN expressions and scripts')
        visited = super().visit_Name(node)
        assert isinstance(visited, ast.AST)
        return visited

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        if type(node.op) in self._GUARDED:
            self.error(node, "augmented *=, **= and <<= are not allowed; write x = x * y")
        visited = super().visit_AugAssign(node)
        assert isinstance(visited, ast.AST)
        return visited


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _arith(symbol: str, left: Any, right: Any) -> Any:
    if symbol == "*":
        for seq, count in ((left, right), (right, left)):
            size = _size(seq)
            if size is not None and isinstance(count, int) and size * count > MAX_SEQUENCE:
                raise ExpressionError("expression would build a sequence that is too large")
        return left * right
    if symbol == "**":
        if isinstance(left, int) and isinstance(right, int):
            if (
                right > 0
                and abs(left) > 1
                and right * max(abs(left), 2).bit_length() > MAX_INT_BITS
            ):
                raise ExpressionError("power is too large")
        elif isinstance(right, int | float) and abs(right) > 1_000:
            raise ExpressionError("power is too large")
        return left**right
    if isinstance(right, int) and right > MAX_INT_BITS:
        raise ExpressionError("shift is too large")
    return left << right


def _capped_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_SEQUENCE:
        raise ExpressionError(f"range longer than {MAX_SEQUENCE} is not allowed")
    return result


_MISSING = object()


def _getattr(obj: Any, name: str, *default: Any) -> Any:
    if isinstance(obj, str | bytes) and name in _REFUSED_STR_METHODS:
        raise ExpressionError(f"'{name}' is not allowed in BPMN expressions")
    value = safer_getattr(obj, name, _MISSING)
    if value is _MISSING:
        if default:
            return default[0]
        raise AttributeError(f"{type(obj).__name__} has no attribute '{name}'")
    return value


def _inplace(op: str, left: Any, right: Any) -> Any:
    operations: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
    }
    if op not in operations:
        raise ExpressionError(f"operator {op} is not allowed")
    return operations[op](left, right)


_ALLOWED_BUILTINS = {
    name: getattr(builtins, name)
    for name in [
        "abs",
        "all",
        "any",
        "bool",
        "dict",
        "enumerate",
        "filter",
        "float",
        "int",
        "isinstance",
        "len",
        "list",
        "map",
        "max",
        "min",
        "reversed",
        "round",
        "set",
        "sorted",
        "str",
        "sum",
        "tuple",
        "zip",
    ]
}


# Python builtins a BPMN file may not name at all (open, eval, getattr, type, ...): refused when
# the file is deployed, not only when the expression runs.
_REFUSED_NAMES = frozenset(
    name
    for name in dir(builtins)
    if not name.startswith("_")
    and name not in _ALLOWED_BUILTINS
    and name not in safe_builtins
    and name not in {"range", "True", "False", "None"}
)


def restricted_globals(functions: dict[str, Any] | None = None) -> dict[str, Any]:
    """The globals every BPMN expression and script sees: guards, safe builtins, functions."""
    safe = dict(safe_builtins)
    safe.update(_ALLOWED_BUILTINS)
    safe["range"] = _capped_range
    return {
        "__builtins__": safe,
        "_getattr_": _getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplace,
        "_arith_": _arith,
        "add_duration": add_duration,
        **(functions or {}),
    }


@lru_cache(maxsize=2048)
def compile_expression(text: str) -> CodeType:
    """Compile a condition or timer expression, or raise ExpressionError saying why not."""
    result = compile_restricted_eval(text, "<bpmn expression>", policy=_AnjuPolicy)
    if result.errors or result.code is None:
        raise ExpressionError(f"expression refused: {'; '.join(result.errors)}")
    return result.code


@lru_cache(maxsize=512)
def compile_script(text: str) -> CodeType:
    """Compile a script task's text, or raise ExpressionError saying why not."""
    result = compile_restricted_exec(text, "<bpmn script>", policy=_AnjuPolicy)
    if result.errors or result.code is None:
        raise ExpressionError(f"script refused: {'; '.join(result.errors)}")
    return result.code


class _Deadline:
    """Raise inside traced code once the wall-clock budget is spent."""

    def __init__(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds
        self.seconds = seconds

    def __call__(self, frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > self.until:
            raise ExpressionError(f"expression ran longer than {self.seconds:g} s and was stopped")
        return self


def _run_limited(code: CodeType, scope: dict[str, Any], seconds: float, mode: str) -> Any:
    previous = sys.gettrace()
    sys.settrace(_Deadline(seconds))
    try:
        if mode == "eval":
            return eval(code, scope)  # noqa: S307 - compiled by RestrictedPython above
        exec(code, scope)  # noqa: S102 - compiled by RestrictedPython above
        return None
    finally:
        sys.settrace(previous)


def evaluate(text: str, data: dict[str, Any], seconds: float = TIME_LIMIT_SECONDS) -> Any:
    """Evaluate `text` against task `data` in the restricted environment."""
    scope = restricted_globals()
    scope.update(data)
    return _run_limited(compile_expression(text), scope, seconds, "eval")


class RestrictedEnvironment(TaskDataEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment that runs everything through the restricted compiler."""

    def __init__(self, seconds: float = TIME_LIMIT_SECONDS) -> None:
        super().__init__(restricted_globals())
        self.seconds = seconds

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        return _run_limited(compile_expression(expression), scope, self.seconds, "eval")

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        scope = dict(self.globals)
        scope.update(external_context or {})
        scope.update(context)
        before = set(scope)
        _run_limited(compile_script(script), scope, self.seconds, "exec")
        for key in list(scope):
            if key in self.globals or key.startswith("_") or callable(scope[key]):
                continue
            if key in context or key not in before:
                context[key] = scope[key]
        return True


def script_engine() -> PythonScriptEngine:
    """The script engine every Anju workflow runs with."""
    return PythonScriptEngine(environment=RestrictedEnvironment())


def names_in(expression: str) -> Iterator[str]:
    """The variable names an expression reads (for validation messages)."""
    for node in ast.walk(ast.parse(expression, mode="eval")):
        if isinstance(node, ast.Name):
            yield node.id
