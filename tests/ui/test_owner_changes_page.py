"""客户信息变更 through AppTest: a change form registered, a wrong identity refused (and logged
by the service), the right one applies it, and the history shows phones masked."""

from __future__ import annotations

from pathlib import Path

from anju.services import owner_changes, owners
from tests.conftest import Driver
from tests.owner_sheets import ID_A, clean_rows, write_xlsx
from tests.ui.conftest import page, signed_in, token_for
from tests.ui.test_cases_pages import open_page
from tests.ui.test_my_tasks import nav_titles

PAGE = "anju/ui/pages/owner_changes.py"


def test_a_change_applies_only_after_the_owners_identity_is_verified(
    app_env: Driver, tmp_path: Path
) -> None:
    owners.commit_import(
        app_env.ctx, app_env.code, write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu"
    )
    at = open_page(app_env, "kefu", PAGE)
    chooser = at.selectbox(key="oc_owner")
    assert "王建华" not in str(chooser.options)  # the owners are listed masked
    assert "1栋1单元101 · 王**" in chooser.options
    chooser.select_index(0).run()
    at.text_input(key="oc_phones").input("139 1111 2222")
    at.text_input(key="oc_reason").input("业主更换手机号")
    at.button(key="oc_submit").click().run()
    assert not at.exception, at.exception
    [request] = owner_changes.change_requests(app_env.ctx, app_env.code, "kefu", "pending")
    assert [s.value for s in at.success] == [
        f"已登记变更申请 #{request.request_id}，待核验业主身份后生效。"
    ]

    at.text_input(key=f"oc_verify_id_{request.request_id}").input(ID_A)
    at.text_input(key=f"oc_verify_phone_{request.request_id}").input(
        "13800000000"
    )  # not the phone on file
    at.text_input(key=f"oc_verify_room_{request.request_id}").input("101")
    at.button(key="oc_verify").click().run()
    assert [e.value for e in at.error] == ["身份核验未通过：电话 与档案不符。"]
    assert owner_changes.change_requests(app_env.ctx, app_env.code, "kefu", "pending")

    at.text_input(key=f"oc_verify_phone_{request.request_id}").input("13812345678")
    at.button(key="oc_verify").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"申请 #{request.request_id} 已核验并生效。"]
    history = at.dataframe[0].value
    assert list(history["变更后"]) == ["phones: ['139****2222']"]
    assert "13912345678" not in str(at)  # never shown in full


def test_the_page_is_for_customer_service_and_admins_only(app_env: Driver) -> None:
    assert "客户信息变更" in nav_titles(signed_in(app_env, "kefu"))
    assert "客户信息变更" not in nav_titles(signed_in(app_env, "sheji"))
    direct = page(PAGE)  # opened by its path anyway: the page checks the role itself
    direct.session_state["anju_token"] = token_for(app_env, "sheji")
    direct.run()
    assert not direct.get("selectbox")
