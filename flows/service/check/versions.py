"""A dossier's trail is whole: its version counts its changes, its documents their uploads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flows.service.check.report import Break

UPLOAD = "upload-document"
# Adding a file changes no field of the dossier, so its version (the ETag) stays: a client
# holding the dossier may still act on it. Every other event is one change of version, and
# every upload is named by its document row instead.
UNVERSIONED_ACTIONS = frozenset({UPLOAD})


def versioned_events(events: Sequence[Any]) -> int:
    """How many of the events changed the dossier's version."""
    return sum(1 for event in events if event.action not in UNVERSIONED_ACTIONS)


def uploaded_documents(events: Sequence[Any]) -> list[str]:
    """The document ids the trail's uploads name."""
    return [
        str(e.details.get("document_id") if isinstance(e.details, dict) else None)
        for e in events
        if e.action == UPLOAD
    ]


def is_whole(events: Sequence[Any], version: int, documents: Iterable[str]) -> bool:
    """Whether no event is missing from the trail, nor any added to it."""
    uploads = uploaded_documents(events)
    return versioned_events(events) == version and sorted(uploads) == sorted(documents)


def version_break(dossier: Any, events: Sequence[Any]) -> Break | None:
    """A dossier whose version is not its number of changes (a lost or added event)."""
    changes = versioned_events(events)
    if dossier.version == changes:
        return None
    return Break(
        "version",
        f"dossier {dossier.code} is at version {dossier.version} but its trail records "
        f"{changes} change(s)",
        dossier=dossier.id,
    )


def document_breaks(
    dossier: Any, events: Sequence[Any], documents: Sequence[str]
) -> Iterator[Break]:
    """Each stored document is named by one upload event, and each upload by a document."""
    uploads = uploaded_documents(events)
    for document_id in sorted(set(documents) | set(uploads)):
        recorded, stored = uploads.count(document_id), documents.count(document_id)
        if recorded != stored:
            yield Break(
                "documents",
                f"dossier {dossier.code}: document {document_id} is stored {stored} time(s) "
                f"and its upload recorded {recorded} time(s)",
                dossier=dossier.id,
            )
