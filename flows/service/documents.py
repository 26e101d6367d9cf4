"""Documents attached to a dossier: size-limited, checksummed, recorded in the audit trail."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.engine.state import Actor
from flows.errors import InvalidInput, NotAllowed, NotFound
from flows.procedures.schema import TERMINAL_STATUSES, Status
from flows.service import uploads
from flows.service.effects import record_audit
from flows.service.handle import load_for_update
from models.db import read_session, write_session
from models.document import Document
from models.dossier import Dossier
from models.ngo_document import NgoDocument
from models.schemas import DocumentPublic


def document_view(d: Document | NgoDocument) -> DocumentPublic:
    """A stored file's metadata (a dossier's document or a file an NGO sent)."""
    return DocumentPublic(
        id=d.id,
        name=d.name,
        content_type=d.content_type,
        size=d.size,
        sha256=d.sha256,
        uploaded_at=d.uploaded_at,
        uploaded_by=d.uploaded_by,
    )


def add_document(
    engine: Engine,
    dossier_id: str,
    actor: Actor,
    *,
    name: str,
    content_type: str,
    content: bytes,
    now: datetime,
    consultation_id: str | None = None,
) -> DocumentPublic:
    """Store one file on an open dossier, with its SHA-256, and audit it."""
    with write_session(engine) as session:
        row = load_for_update(session, dossier_id)
        return store_document(
            session,
            row,
            actor,
            name=name,
            content_type=content_type,
            content=content,
            now=now,
            consultation_id=consultation_id,
        )


def store_document(
    session: Session,
    row: Dossier,
    actor: Actor,
    *,
    name: str,
    content_type: str,
    content: bytes,
    now: datetime,
    consultation_id: str | None = None,
) -> DocumentPublic:
    """Add the file in the caller's transaction; the audit names the request it answers, if any.

    Its type is judged from its bytes (the client's declared type is only checked against
    them) and its name is reduced to a safe display name."""
    if not content:
        raise InvalidInput("the file is empty")
    if Status(row.status) in TERMINAL_STATUSES:
        raise NotAllowed(f"the dossier is {row.status}; no documents can be added", [])
    accepted = uploads.accept(name, content_type, content)
    name = accepted.name
    doc = Document(
        id=str(uuid.uuid4()),
        dossier_id=row.id,
        name=name,
        content_type=accepted.media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=now,
        uploaded_by=actor.name,
    )
    session.add(doc)
    record_audit(
        session,
        dossier_id=row.id,
        actor=actor,
        action="upload-document",
        from_status=row.status,
        to_status=row.status,
        at=now,
        details={
            "document_id": doc.id,
            "name": name,
            "size": doc.size,
            "sha256": doc.sha256,
            **({"consultation_id": consultation_id} if consultation_id else {}),
        },
    )
    session.flush()
    return document_view(doc)


def list_documents(engine: Engine, dossier_id: str) -> list[DocumentPublic]:
    """The dossier's documents (metadata only), oldest first."""
    with read_session(engine) as session:
        if session.get(Dossier, dossier_id) is None:
            raise NotFound(f"no dossier {dossier_id}")
        rows = session.exec(
            select(Document)
            .where(Document.dossier_id == dossier_id)
            .order_by(col(Document.uploaded_at))
        ).all()
        return [document_view(d) for d in rows]


def read_document(
    engine: Engine, dossier_id: str, document_id: str
) -> tuple[DocumentPublic, bytes]:
    """One document of the dossier with its bytes; NotFound when it is not that dossier's."""
    with read_session(engine) as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.dossier_id != dossier_id:
            raise NotFound(f"no document {document_id} in dossier {dossier_id}")
        return document_view(doc), doc.content
