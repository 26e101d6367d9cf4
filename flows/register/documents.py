"""Files received from an NGO: judged by their bytes like dossier uploads, checksummed, kept in
the register (a decided dossier takes no more files, and what an NGO owes comes after)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from flows.engine.state import Actor
from flows.errors import InvalidInput, NotFound
from flows.service import uploads
from flows.service.documents import document_view
from models.db import read_session, write_session
from models.ngo import Ngo
from models.ngo_document import NgoDocument
from models.schemas import DocumentPublic


def store(
    session: Session,
    ngo_id: str,
    actor: Actor,
    *,
    name: str,
    content_type: str,
    content: bytes,
    now: datetime,
) -> NgoDocument:
    """Add the file in the caller's transaction."""
    if session.get(Ngo, ngo_id) is None:
        raise NotFound(f"no NGO {ngo_id} in the register")
    if not content:
        raise InvalidInput("the file is empty")
    accepted = uploads.accept(name, content_type, content)
    doc = NgoDocument(
        id=str(uuid.uuid4()),
        ngo_id=ngo_id,
        name=accepted.name,
        content_type=accepted.media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=now,
        uploaded_by=actor.name,
    )
    session.add(doc)
    session.flush()
    return doc


def add_ngo_document(
    engine: Engine,
    ngo_id: str,
    actor: Actor,
    *,
    name: str,
    content_type: str,
    content: bytes,
    now: datetime,
) -> DocumentPublic:
    """Store one file received from the NGO."""
    with write_session(engine) as session:
        doc = store(
            session, ngo_id, actor, name=name, content_type=content_type, content=content, now=now
        )
        return document_view(doc)


def list_ngo_documents(session: Session, ngo_id: str) -> list[DocumentPublic]:
    """The NGO's files (metadata only), newest first."""
    rows = session.exec(
        select(NgoDocument)
        .where(NgoDocument.ngo_id == ngo_id)
        .order_by(col(NgoDocument.uploaded_at).desc())
    ).all()
    return [document_view(d) for d in rows]


def read_ngo_document(
    engine: Engine, ngo_id: str, document_id: str
) -> tuple[DocumentPublic, bytes]:
    """One of the NGO's files with its bytes; NotFound when it is not that NGO's."""
    with read_session(engine) as session:
        doc = session.get(NgoDocument, document_id)
        if doc is None or doc.ngo_id != ngo_id:
            raise NotFound(f"no document {document_id} of NGO {ngo_id}")
        return document_view(doc), doc.content
