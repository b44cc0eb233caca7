"""What every `anju` command prints and parses: JSON of dataclasses, `--data` objects.

Owns: the one conversion of service results (dataclasses, dates) to JSON, `--json` output,
reading a `--data` JSON object, and the end of an Excel import (error report, refusal).
Used by `anju.cli` and the area modules (`cli_cases`, …).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from anju.services.errors import InvalidInputError


def plain(value: Any) -> Any:
    """`value` as JSON-ready data: dataclasses as dicts, dates as ISO 8601 text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return value


def print_json(value: Any) -> None:
    print(json.dumps(plain(value), ensure_ascii=False, indent=2))


def emit(args: argparse.Namespace, value: Any, text: Callable[[], str]) -> None:
    """Print `value` as JSON with `--json`, else the human text."""
    if args.json:
        print_json(value)
    else:
        print(text())


def refuse_invalid(
    args: argparse.Namespace, invalid: int, error_report: Callable[[], bytes], what: str
) -> None:
    """After an Excel import's report is printed: write the error report (`--errors-xlsx`)
    and, unless it was a dry run, fail when rows were invalid (then nothing was imported)."""
    if args.errors_xlsx and invalid:
        Path(args.errors_xlsx).write_bytes(error_report())
        print(f"error report written to {args.errors_xlsx}", file=sys.stderr)
    if invalid and not args.dry_run:
        raise InvalidInputError(
            f"{invalid} 行无效，未导入任何{what} ({invalid} invalid rows; nothing was imported "
            "— fix them and import again)"
        )


def json_object(text: str | None, option: str = "--data") -> dict[str, Any]:
    """Parse an option's JSON object, or InvalidInputError saying what is wrong."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{option} is not valid JSON: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise InvalidInputError(f"{option} must be a JSON object")
    return value
