"""Sign-in: passwords (argon2id) and server-side login sessions.

Owns: setting a password, logging in (a new session token; only its SHA-256 is stored),
finding the user behind a token, and logging out (one session, or everywhere); and the
administrator's account actions: add a user with an initial password, change a user's roles,
deactivate a user (which ends their sessions). Never stores or logs a password or a raw token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from anju.db import auth_repository as auth_repo
from anju.db import repositories as repo
from anju.db.tables import User
from anju.db.unit_of_work import Session
from anju.roles import ADMIN
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.users import UserView, check_new_user, check_roles, require_user

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 8
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def set_password(ctx: AppContext, username: str, password: str) -> None:
    _check_password(password)
    with ctx.db.unit_of_work() as session:
        user = repo.user_by_name(session, username)
        if user is None:
            raise NotFoundError(f"no user '{username}'")
        auth_repo.set_password_hash(session, user, _HASHER.hash(password))


def login(ctx: AppContext, username: str, password: str) -> str:
    """Check the password and open a session; returns the session token for the cookie."""
    now = ctx.now()
    refused = PermissionDeniedError("wrong user name or password")
    with ctx.db.unit_of_work() as session:
        user = repo.user_by_name(session, username.strip())
        if user is None or not user.active or not user.password_hash:
            _HASHER.hash(password)  # same work as a real check: no user-name probing by timing
            raise refused
        try:
            _HASHER.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError) as exc:
            raise refused from exc
        if _HASHER.check_needs_rehash(user.password_hash):
            auth_repo.set_password_hash(session, user, _HASHER.hash(password))
        token = secrets.token_urlsafe(32)
        auth_repo.add_session(session, _digest(token), user.id, now, now + SESSION_LIFETIME)
        return token


def session_user(ctx: AppContext, token: str | None) -> UserView | None:
    """The signed-in user behind a session token, or None (unknown, expired, logged out)."""
    if not token:
        return None
    with ctx.db.unit_of_work(write=False) as session:
        live = auth_repo.live_session(session, _digest(token), ctx.now())
        if live is None:
            return None
        for user, roles in repo.users_with_roles(session, user_id=live.user_id):
            if user.active:
                return UserView(user.username, user.display_name, tuple(roles), user.active)
        return None


def logout(ctx: AppContext, token: str) -> int:
    """End the user's sessions everywhere (every browser and tab); returns how many ended."""
    with ctx.db.unit_of_work() as session:
        live = auth_repo.live_session(session, _digest(token), ctx.now())
        if live is None:
            return 0
        return auth_repo.end_sessions(session, live.user_id, ctx.now())


# ---------------------------------------------------------------------------- administration


def _require_admin(session: Session, username: str) -> None:
    _, roles = require_user(session, username)
    if ADMIN not in roles:
        raise PermissionDeniedError(f"only an administrator may manage users ({username} is not)")


def _target(session: Session, by: str, username: str) -> User:
    _require_admin(session, by)
    user = repo.user_by_name(session, username)
    if user is None:
        raise NotFoundError(f"no user '{username}'")
    return user


def create_user(
    ctx: AppContext, by: str, username: str, display_name: str, roles: list[str], password: str
) -> UserView:
    """An administrator adds a user with roles and an initial password (argon2id)."""
    username, display_name = username.strip(), display_name.strip()
    _check_password(password)
    if not display_name:
        raise InvalidInputError("a user needs a display name")
    if not roles:
        raise InvalidInputError("a user needs at least one role")
    with ctx.db.unit_of_work() as session:
        _require_admin(session, by)
        check_new_user(session, username, roles)
        user = repo.add_user(session, username, display_name, roles, ctx.now())
        auth_repo.set_password_hash(session, user, _HASHER.hash(password))
    return UserView(username, display_name, tuple(sorted(set(roles))))


def change_roles(ctx: AppContext, by: str, username: str, roles: list[str]) -> UserView:
    """An administrator replaces a user's roles (an admin cannot drop their own admin role)."""
    check_roles(roles)
    if not roles:
        raise InvalidInputError("a user needs at least one role")
    if username == by and ADMIN not in roles:
        raise InvalidInputError("you cannot remove your own administrator role")
    with ctx.db.unit_of_work() as session:
        user = _target(session, by, username)
        repo.set_roles(session, user.id, roles)
        return UserView(user.username, user.display_name, tuple(sorted(set(roles))), user.active)


def deactivate(ctx: AppContext, by: str, username: str) -> int:
    """An administrator deactivates a user: no more sign-ins, every session ends now.

    Returns how many sessions ended. Their tasks, history and claims stay as they are.
    """
    if username == by:
        raise InvalidInputError("you cannot deactivate yourself")
    with ctx.db.unit_of_work() as session:
        user = _target(session, by, username)
        auth_repo.set_active(session, user, False)
        return auth_repo.end_sessions(session, user.id, ctx.now())
