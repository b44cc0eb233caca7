"""People and their roles: who may do which lane's tasks.

Owns: creating and listing users, and the checks "is this user allowed to act for role R".
"""

from __future__ import annotations

from dataclasses import dataclass

from anju.db import repositories as repo
from anju.db.unit_of_work import Session
from anju.roles import ROLE_IDS
from anju.services.context import AppContext
from anju.services.errors import ConflictError, InvalidInputError, NotFoundError


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    roles: tuple[str, ...]
    active: bool = True


def check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - ROLE_IDS)
    if unknown:
        raise InvalidInputError(f"unknown role(s) {', '.join(unknown)}; roles: {sorted(ROLE_IDS)}")


def check_new_user(session: Session, username: str, roles: list[str]) -> None:
    """Refuse unknown roles, an empty user name and a user name already taken."""
    check_roles(roles)
    if not username.strip():
        raise InvalidInputError("a user needs a user name")
    if repo.user_by_name(session, username) is not None:
        raise ConflictError(f"user '{username}' already exists")


def add_user(ctx: AppContext, username: str, display_name: str, roles: list[str]) -> UserView:
    with ctx.db.unit_of_work() as session:
        check_new_user(session, username, roles)
        repo.add_user(session, username, display_name, roles, ctx.now())
    return UserView(username, display_name, tuple(sorted(set(roles))))


def list_users(ctx: AppContext) -> list[UserView]:
    with ctx.db.unit_of_work(write=False) as session:
        return [
            UserView(user.username, user.display_name, tuple(roles), user.active)
            for user, roles in repo.users_with_roles(session)
        ]


def require_user(session: Session, username: str) -> tuple[str, set[str]]:
    """The user's display name and roles, or NotFoundError."""
    user = repo.user_by_name(session, username)
    if user is None or not user.active:
        raise NotFoundError(f"no active user '{username}'")
    return user.display_name, repo.roles_of(session, user.id)
