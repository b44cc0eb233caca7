"""Draft cases from the summary stage: a project's hand-over defects become draft cases.

Owns: turning every defect of a project into a pre-filled draft case in one transaction
(`casebase.drafting` says how), linked to its defect (`cases.source_kind` = handover_defect and
`cases.source_record_id` = the defect's id, unique together), so drafting again only adds the
defects that have no case yet. Complaints and callbacks have no tables yet: defects only.
Reads the hand-over through `anju.db.handover_repository` (read-only).
"""

from __future__ import annotations

from dataclasses import dataclass

from anju.db import case_repository as cases_repo
from anju.db import handover_repository as handover_repo
from anju.db import repositories as repo
from anju.db.case_tables import Case
from anju.db.unit_of_work import CONCURRENT_WRITE_ERRORS
from anju.localtime import local_date
from anju.services.cases import (
    CaseView,
    apply_content,
    case_view,
    index_case,
    parse_content,
    require_writer,
)
from anju.services.context import AppContext
from anju.services.errors import ConflictError, NotFoundError
from anju.services.handover import label
from casebase import meaning
from casebase.drafting import DefectFacts, draft_values
from casebase.model import SourceKind, Status

KIND = SourceKind.HANDOVER_DEFECT.value


@dataclass(frozen=True)
class DraftResult:
    project_code: str
    defects: int
    created: tuple[CaseView, ...]
    already: dict[int, int]
    """{defect id: case id} of the defects drafted before."""


def draft_from_defects(ctx: AppContext, project_code: str, username: str) -> DraftResult:
    """A draft case for every defect of the project that has none yet (customer service)."""
    now = ctx.now()
    meaning.load()  # each draft is embedded inside the transaction; the weights load outside it
    try:
        with ctx.db.unit_of_work() as session:
            require_writer(session, username)
            project = repo.project_by_code(session, project_code)
            if project is None:
                raise NotFoundError(f"项目 '{project_code}' 不存在")
            defects = handover_repo.defects(session, project.id)
            linked = cases_repo.linked_records(session, KIND, [d.defect_id for d in defects])
            created = []
            for defect in defects:
                if defect.defect_id in linked:
                    continue
                room = defect.room
                facts = DefectFacts(
                    room=label(room),
                    space=defect.space,
                    part=defect.part,
                    category=defect.category,
                    description=defect.description,
                    severity=defect.severity,
                    found_on=local_date(defect.found_at),
                    project_name=project.name,
                )
                content = parse_content(draft_values(facts))
                case = Case(
                    status=Status.DRAFT.value,
                    author=username,
                    created_at=now,
                    updated_at=now,
                    source_record_id=defect.defect_id,
                )
                apply_content(case, content)
                session.add(case)
                session.flush()
                index_case(session, case.id, content)
                cases_repo.add_revision(
                    session,
                    case,
                    at=now,
                    actor=username,
                    action="drafted",
                    changes={"source": f"{KIND}:{defect.defect_id}"},
                )
                created.append(case_view(case))
            return DraftResult(project.code, len(defects), tuple(created), linked)
    except CONCURRENT_WRITE_ERRORS as exc:
        raise ConflictError(
            "另一位同事正在从同一批交房问题生成案例，请稍后重试 (someone else drafted the "
            "same defects at the same moment; try again)"
        ) from exc
