"""The demo owners of 栖霞雅苑 go through the real import: valid, idempotent, two gaps."""

from __future__ import annotations

from anju import demo_owners
from anju.importers.identity import id_number_problem
from anju.services import owners
from anju.services.context import AppContext
from tests.conftest import Driver, TestClock


def test_demo_owners_import_cleanly_and_only_once(ctx: AppContext, clock: TestClock) -> None:
    Driver(ctx, clock, code=demo_owners.PROJECT).start_project(name="栖霞雅苑")
    assert demo_owners.load(ctx) == 96
    assert demo_owners.load(ctx) == 0
    listed = owners.list_owners(ctx, demo_owners.PROJECT, "kefu", reveal_reason="演示数据核对")
    assert len(listed) == 96
    assert all(id_number_problem(o.id_number) is None for o in listed)
    assert len({o.id_number for o in listed}) == 96
    assert sum(len(o.phones) == 2 for o in listed) == 1
    missing = owners.owners_missing_data(ctx, demo_owners.PROJECT, "kefu")
    assert [m.missing for m in missing] == [("mailing_address",), ("mailing_address",)]
