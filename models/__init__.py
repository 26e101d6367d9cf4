"""SQLModel tables of ngo-review; importing this package registers every table."""

from models.admin_audit import AdminEvent
from models.agency import Agency
from models.audit import AuditEvent
from models.calendar_override import CalendarOverride
from models.certificate import Certificate, CertificateEvent
from models.consultation import Consultation
from models.document import Document
from models.dossier import Dossier, DossierSequence
from models.dossier_step import DossierStep
from models.idempotency import IdempotencyRecord
from models.inspection import Inspection
from models.metric_count import MetricCount
from models.ngo import Ngo
from models.ngo_document import NgoDocument
from models.ngo_report import NgoReport
from models.obligation import Obligation
from models.outbox import Outbox
from models.procedure_version import ProcedureVersion
from models.reference_stamp import ReferenceStamp
from models.risk import RiskAssessment, RiskScorecard
from models.stage_time import StageTime
from models.timer import Timer
from models.token import ApiToken
from models.user import User

__all__ = [
    "AdminEvent",
    "Agency",
    "ApiToken",
    "AuditEvent",
    "CalendarOverride",
    "Certificate",
    "CertificateEvent",
    "Consultation",
    "Document",
    "Dossier",
    "DossierSequence",
    "DossierStep",
    "IdempotencyRecord",
    "Inspection",
    "MetricCount",
    "Ngo",
    "NgoDocument",
    "NgoReport",
    "Obligation",
    "Outbox",
    "ProcedureVersion",
    "ReferenceStamp",
    "RiskAssessment",
    "RiskScorecard",
    "StageTime",
    "Timer",
    "User",
]
