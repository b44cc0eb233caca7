"""Sign-in: passwords (argon2id) and server-side login sessions.

Owns: setting a password, logging in (a new session token; only its SHA-256 is stored),
finding the user behind a token, and logging out (one session, or everywhere).
Never stores or logs a password or a raw token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from anju.db import auth_repository as auth_repo
from anju.db import repositories as repo
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.users import UserView

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 8
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def set_password(ctx: AppContext, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
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
