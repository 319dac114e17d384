"""Users, password hashing (argon2) and role permissions, enforced in the library.

Every service function that changes data takes an ``actor`` (a :class:`User`) and
calls :func:`require` first, so the dashboard and the CLI cannot bypass a role.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from obligations.errors import ConfigError, ConflictError, NotFoundError, PermissionDeniedError
from obligations.models import User
from obligations.models.users import ROLES
from obligations.services.audit import record_event

# What each role may do. "read" is everything a signed-in user may look at.
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "read",
            "triage",
            "assign",
            "map",
            "verify",
            "comment",
            "update_assignment",
            "import_controls",
            "manage_users",
            "run_crawl",
            "manage_subscriptions",
        }
    ),
    "analyst": frozenset({"read", "triage", "assign", "map", "verify", "comment", "run_crawl"}),
    "owner": frozenset({"read", "comment", "update_assignment"}),
    "auditor": frozenset({"read"}),
}
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,200}$")
MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


def can(user: User, permission: str) -> bool:
    """Whether ``user`` (active) holds ``permission``."""
    return bool(user.active) and permission in PERMISSIONS.get(user.role, frozenset())


def require(user: User, permission: str) -> None:
    """Raise PermissionDeniedError unless ``user`` holds ``permission``."""
    if not can(user, permission):
        raise PermissionDeniedError(
            f"user {user.username!r} (role {user.role}) may not {permission.replace('_', ' ')}"
        )


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def add_user(
    session: Session,
    username: str,
    role: str,
    password: str | None = None,
    email: str | None = None,
    display_name: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user; ``actor`` None means the command line's bootstrap (first admin)."""
    if actor is not None:
        require(actor, "manage_users")
    if not USERNAME_PATTERN.match(username):
        raise ConfigError(f"invalid user name {username!r}: use letters, digits and ._@-")
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    if session.exec(select(User).where(User.username == username)).first():
        raise ConflictError(f"user {username!r} already exists")
    user = User(
        username=username,
        role=role,
        email=email,
        display_name=display_name,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        actor.username if actor else "cli",
        "user.add",
        "user",
        user.id or 0,
        None,
        {"username": username, "role": role, "email": email},
    )
    return user


def get_user(session: Session, username: str) -> User:
    """The user named ``username`` (or with that email); NotFoundError otherwise."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = session.exec(select(User).where(User.email == username)).first()
    if user is None:
        raise NotFoundError(f"unknown user {username!r}")
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user whose password matches, or None (never says which part was wrong)."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active or not user.password_hash:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def list_users(session: Session) -> list[User]:
    """All users, by user name."""
    return list(session.exec(select(User).order_by(User.username)))
