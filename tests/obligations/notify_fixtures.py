"""Register rows for notification tests: a source, a document and its obligations."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from obligations.models import (
    Document,
    DocumentVersion,
    Obligation,
    ObligationTopic,
    Source,
)
from obligations.services.supersession import supersede_obligation


class Register:
    """Builds obligations at chosen times (the clock the digests read)."""

    def __init__(self, session: Session):
        self.session = session
        source = Source(id="s", name="S", authority="FCA", authority_kind="regulator",
                        jurisdiction="GB", language="en", kind="page", url="http://x")  # fmt: skip
        session.add(source)
        session.flush()
        self.document = Document(source_id="s", url="http://127.0.0.1/notice", title="Notice 7")
        session.add(self.document)
        session.flush()
        self.versions = 0

    def version(self, at: datetime) -> DocumentVersion:
        self.versions += 1
        version = DocumentVersion(
            document_id=self.document.id,  # type: ignore[arg-type]
            version_number=self.versions, fetched_at=at, content_sha256="0" * 64,
            text="…", text_sha256=str(self.versions) * 64, normaliser_version=1,
        )  # fmt: skip
        self.session.add(version)
        self.session.flush()
        return version

    def obligation(
        self,
        text: str,
        at: datetime,
        topics: list[str],
        owner: str | None = None,
        supersedes: Obligation | None = None,
    ) -> Obligation:
        version = self.version(at)
        obligation = Obligation(
            document_id=self.document.id,  # type: ignore[arg-type]
            source_id="s", document_version_id=version.id,  # type: ignore[arg-type]
            supersedes_id=supersedes.id if supersedes else None,
            change_kind="amended" if supersedes else "added",
            statement_key=text[:60], text=text, start=0, end=len(text), modality="obligation",
            owner=owner, created_at=at, updated_at=at,
        )  # fmt: skip
        self.session.add(obligation)
        self.session.flush()
        for topic in topics:
            self.session.add(ObligationTopic(obligation_id=obligation.id, topic=topic))  # type: ignore[arg-type]
        if supersedes is not None:
            self.supersede(supersedes, at, version)
        self.session.flush()
        return obligation

    def supersede(
        self, obligation: Obligation, at: datetime, version: DocumentVersion | None = None
    ) -> None:
        version = version or self.version(at)
        supersede_obligation(self.session, obligation, version.id, now=at)  # type: ignore[arg-type]
        self.session.flush()
