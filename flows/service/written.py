"""Written opinions: an agency's signed reply letter, and paper answers a handler records."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Engine

from flows.engine.commands import Respond
from flows.engine.state import Actor
from flows.errors import InvalidInput, NotAllowed, NotFound
from flows.procedures.schema import OPEN_CONSULTATION_STATUSES, ConsultationStatus, Opinion
from flows.service.consultations import get_consultation
from flows.service.documents import add_document, store_document
from flows.service.handle import apply_command, load_for_update
from flows.service.views import consultation_view
from models.agency import Agency
from models.consultation import Consultation
from models.db import read_session, write_session
from models.schemas import ConsultationPublic, DocumentPublic


@dataclass(frozen=True)
class Upload:
    """A file sent with a form: the signed letter or its scan."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class PaperAnswer:
    """What the agency's paper letter says, as the handler types it in."""

    opinion: Opinion
    comments: str
    letter_number: str
    letter_date: date
    letter_document_id: str | None = None


def upload_letter(
    engine: Engine, actor: Actor, consultation_id: str, upload: Upload, *, now: datetime
) -> DocumentPublic:
    """Store the signed reply letter on the request's dossier, tagged with the request."""
    found = get_consultation(engine, actor, consultation_id)  # another agency's: NotFound
    if ConsultationStatus(found.status) not in OPEN_CONSULTATION_STATUSES:
        raise NotAllowed(f"this request is already {found.status}; attach nothing more", [])
    return add_document(
        engine,
        found.dossier_id,
        actor,
        name=upload.name,
        content_type=upload.content_type,
        content=upload.content,
        now=now,
        consultation_id=consultation_id,
    )


def answer_in_writing(
    engine: Engine, command: Respond, *, upload: Upload | None = None, now: datetime
) -> ConsultationPublic:
    """The answer and its uploaded letter in one transaction: a refused answer keeps no file."""
    uploader = command.recorder or command.actor
    with write_session(engine) as session:
        x = session.get(Consultation, command.consultation_id)
        if x is None or x.agency_code != command.actor.agency:
            raise NotFound(f"no consultation {command.consultation_id} for your agency")
        if upload is not None:
            row = load_for_update(session, x.dossier_id)
            doc = store_document(
                session,
                row,
                uploader,
                name=upload.name,
                content_type=upload.content_type,
                content=upload.content,
                now=now,
                consultation_id=x.id,
            )
            command = replace(command, letter_document_id=doc.id)
        done = apply_command(session, x.dossier_id, command, now)
        return consultation_view(x, done.row)


def record_answer(
    engine: Engine,
    recorder: Actor,
    consultation_id: str,
    answer: PaperAnswer,
    *,
    upload: Upload | None = None,
    now: datetime,
) -> ConsultationPublic:
    """A handler records an agency's paper answer on its behalf (recorded_by: the handler).

    Timeliness uses the date the answer was received, which is now; the letter's own date is
    stored as written (it may be earlier) and never moves the answer's date.
    """
    if not answer.letter_number.strip():
        raise InvalidInput("a paper answer needs the letter's number")
    with read_session(engine) as session:
        x = session.get(Consultation, consultation_id)
        if x is None:
            raise NotFound(f"no consultation {consultation_id}")
        agency = session.get(Agency, x.agency_code)
        name = agency.name_vi if agency is not None else x.agency_code
    command = Respond(
        actor=Actor(name=name[:120], role="agency", agency=x.agency_code),
        consultation_id=consultation_id,
        opinion=answer.opinion,
        comments=answer.comments,
        letter_number=answer.letter_number.strip(),
        letter_date=answer.letter_date,
        letter_document_id=answer.letter_document_id or None,
        recorder=recorder,
    )
    return answer_in_writing(engine, command, upload=upload, now=now)
