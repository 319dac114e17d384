"""Comments on obligations: remarks that do not change the obligation itself."""

from __future__ import annotations

from sqlmodel import Session, col, select

from obligations.errors import ConfigError, NotFoundError
from obligations.models import Comment, Obligation, User
from obligations.services.audit import record_event
from obligations.services.users import require

MAX_COMMENT_LENGTH = 10_000


def add_comment(session: Session, actor: User, obligation_id: int, body: str) -> Comment:
    """A remark on an obligation (does not change the obligation itself)."""
    require(actor, "comment")
    text = body.strip()
    if not text:
        raise ConfigError("a comment cannot be empty")
    if len(text) > MAX_COMMENT_LENGTH:
        raise ConfigError(f"comment too long: at most {MAX_COMMENT_LENGTH} characters")
    if session.get(Obligation, obligation_id) is None:
        raise NotFoundError(f"unknown obligation {obligation_id}")
    comment = Comment(obligation_id=obligation_id, author=actor.username, body=text)
    session.add(comment)
    session.flush()
    record_event(
        session,
        actor.username,
        "obligation.comment",
        "obligation",
        obligation_id,
        None,
        {"comment_id": comment.id, "body": text},
    )
    return comment


def list_comments(session: Session, obligation_id: int) -> list[Comment]:
    """An obligation's comments, oldest first."""
    if session.get(Obligation, obligation_id) is None:
        raise NotFoundError(f"unknown obligation {obligation_id}")
    return list(
        session.exec(
            select(Comment).where(Comment.obligation_id == obligation_id).order_by(col(Comment.id))
        )
    )
