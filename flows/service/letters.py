"""Which uploaded documents may be cited as a consultation's signed reply letter."""

from __future__ import annotations

from sqlmodel import Session, select

from flows.errors import InvalidInput
from models.audit import AuditEvent
from models.consultation import Consultation


def letter_documents(session: Session, consultation: Consultation) -> set[str]:
    """Ids of the documents uploaded to this request (the audit trail names the request)."""
    uploads = session.exec(
        select(AuditEvent).where(
            AuditEvent.dossier_id == consultation.dossier_id,
            AuditEvent.action == "upload-document",
        )
    ).all()
    return {
        str(u.details.get("document_id"))
        for u in uploads
        if u.details.get("consultation_id") == consultation.id
    }


def check_letter_document(session: Session, consultation: Consultation, document_id: str) -> None:
    """The cited letter must have been uploaded to this very request (422 otherwise)."""
    if document_id not in letter_documents(session, consultation):
        raise InvalidInput(
            f"letter_document_id {document_id!r} is not a document uploaded to this request; "
            f"upload it to /consultations/{consultation.id}/documents first"
        )
