"""SQLModel tables, one module per aggregate. Importing this package registers them all."""

from obligations.models.audit import AuditEvent
from obligations.models.controls import Control, ObligationControl
from obligations.models.documents import Document, DocumentVersion
from obligations.models.notifications import Delivery, Subscription
from obligations.models.obligations import Obligation, ObligationTopic
from obligations.models.sources import CrawlRun, Source
from obligations.models.users import Assignment, Comment, User

__all__ = [
    "Assignment",
    "AuditEvent",
    "Comment",
    "Control",
    "CrawlRun",
    "Delivery",
    "Document",
    "DocumentVersion",
    "Obligation",
    "ObligationControl",
    "ObligationTopic",
    "Source",
    "Subscription",
    "User",
]
