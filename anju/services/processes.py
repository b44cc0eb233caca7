"""Deployed process versions: deploy BPMN files, list versions.

Owns: turning BPMN files into a stored, current process version (validated first, refused
with the file, element and reason when not), and listing what is deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from anju.db import repositories as repo
from anju.db.tables import ProcessVersion
from anju.roles import LANE_ROLES
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.users import require_user
from workflows.errors import SpecError
from workflows.specs import TOP_PROCESS, content_version, load_bundle, read_directory


@dataclass(frozen=True)
class VersionView:
    version: str
    process_id: str
    files: tuple[str, ...]
    deployed_at: datetime
    deployed_by: str
    is_current: bool
    instances: int


@dataclass(frozen=True)
class DeployResult:
    version: str
    created: bool
    changed_files: tuple[str, ...]


def deploy_files(ctx: AppContext, files: dict[str, str], actor: str, note: str) -> DeployResult:
    """Validate a whole set of BPMN files and make it the current version (stored once)."""
    try:
        bundle = load_bundle(files, roles=LANE_ROLES)
    except SpecError as exc:
        raise InvalidInputError(f"BPMN refused: {exc}") from exc
    ctx.remember(bundle)
    with ctx.db.unit_of_work() as session:
        current = repo.current_version(session)
        changed = tuple(
            sorted(
                name for name in files if current is None or current.files.get(name) != files[name]
            )
        )
        created = repo.version(session, bundle.version) is None
        if created:
            session.add(
                ProcessVersion(
                    version=bundle.version,
                    process_id=TOP_PROCESS,
                    files=files,
                    deployed_at=ctx.now(),
                    deployed_by=actor,
                    note=note,
                    is_current=False,
                )
            )
            session.flush()
        repo.make_current(session, bundle.version)
        if created:
            repo.add_event(
                session,
                at=ctx.now(),
                actor=actor,
                event="process_deployed",
                data={"version": bundle.version, "files": list(changed), "note": note},
            )
    return DeployResult(bundle.version, created, changed)


def deploy_directory(ctx: AppContext, directory: Path, actor: str = "system") -> DeployResult:
    """Deploy every BPMN file of a folder as the current version (no-op if unchanged)."""
    files = read_directory(directory)
    if not files:
        raise NotFoundError(f"no .bpmn files in {directory}")
    return deploy_files(ctx, files, actor, f"deployed from {directory.name}/")


def deploy_file(ctx: AppContext, path: Path, username: str) -> DeployResult:
    """Admin: replace (or add) one file in the current version and deploy the result."""
    with ctx.db.unit_of_work(write=False) as session:
        _, roles = require_user(session, username)
        if "admin" not in roles:
            raise PermissionDeniedError(f"only an admin may deploy BPMN; {username} is not one")
        current = repo.current_version(session)
        files = dict(current.files) if current else {}
    try:
        files[path.name] = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from exc
    return deploy_files(ctx, files, username, f"{path.name} deployed by {username}")


def list_versions(ctx: AppContext) -> list[VersionView]:
    with ctx.db.unit_of_work(write=False) as session:
        counts = repo.instance_counts_by_version(session)
        return [
            VersionView(
                version=row.version,
                process_id=row.process_id,
                files=tuple(sorted(row.files)),
                deployed_at=row.deployed_at,
                deployed_by=row.deployed_by,
                is_current=row.is_current,
                instances=counts.get(row.version, 0),
            )
            for row in repo.versions(session)
        ]


__all__ = ["DeployResult", "VersionView", "content_version", "deploy_directory", "deploy_file"]
