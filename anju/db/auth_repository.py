"""Queries of sign-in: passwords and login sessions.

Owns: reading and writing `users.password_hash`, `users.active` and `login_sessions`.
No hashing here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from anju.db.auth_tables import LoginSession
from anju.db.tables import User


def set_password_hash(session: Session, user: User, password_hash: str) -> None:
    user.password_hash = password_hash


def set_active(session: Session, user: User, active: bool) -> None:
    user.active = active


def add_session(
    session: Session, token_hash: str, user_id: int, now: datetime, expires: datetime
) -> None:
    session.add(
        LoginSession(token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires)
    )


def live_session(session: Session, token_hash: str, now: datetime) -> LoginSession | None:
    query = select(LoginSession).where(
        LoginSession.token_hash == token_hash,
        LoginSession.ended_at.is_(None),
        LoginSession.expires_at > now,
    )
    return session.scalar(query)


def end_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every live session of a user (logout everywhere); returns how many."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
