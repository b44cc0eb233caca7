"""`anju` commands of the cases area, registered into the main parser by `anju.cli`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

AddCommand = Callable[..., argparse.ArgumentParser]


def register(sub: Any, add: AddCommand) -> None:
    """Add this area's sub-commands. `add(name, handler, help, listing=False)` gives --json."""
