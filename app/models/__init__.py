"""Every table. Each row belongs to one shop; platform objects are unique on (shop, platform_id)."""

from app.models.audit import AuditEvent
from app.models.base import Platform
from app.models.customer import Customer
from app.models.order import Fulfillment, LineItem, Order
from app.models.privacy import DataRequest, DataRequestStatus
from app.models.refund import Refund, RefundLine, RefundStatus
from app.models.reply import CannedReply, CannedReplyTranslation, MessageStatus, OutboundMessage
from app.models.returns import ItemState, MirrorState, Resolution, Return, ReturnItem, ReturnStatus
from app.models.shop import Shop, StaffUser
from app.models.survey import Survey, SurveyKind, SurveyResponse, SurveyStatus, SurveyTrigger
from app.models.sync import SyncKind, SyncRun, SyncStatus
from app.models.timeline import TimelineEntry
from app.models.webhook import WebhookEvent, WebhookStatus

__models__ = [
    Shop,
    StaffUser,
    Customer,
    Order,
    LineItem,
    Fulfillment,
    Refund,
    RefundLine,
    Return,
    ReturnItem,
    CannedReply,
    CannedReplyTranslation,
    OutboundMessage,
    Survey,
    SurveyResponse,
    WebhookEvent,
    AuditEvent,
    SyncRun,
    TimelineEntry,
    DataRequest,
]

__all__ = [
    "AuditEvent",
    "CannedReply",
    "CannedReplyTranslation",
    "Customer",
    "DataRequest",
    "DataRequestStatus",
    "Fulfillment",
    "ItemState",
    "LineItem",
    "MessageStatus",
    "MirrorState",
    "Order",
    "OutboundMessage",
    "Platform",
    "Refund",
    "RefundLine",
    "RefundStatus",
    "Resolution",
    "Return",
    "ReturnItem",
    "ReturnStatus",
    "Shop",
    "StaffUser",
    "Survey",
    "SurveyKind",
    "SurveyResponse",
    "SurveyStatus",
    "SurveyTrigger",
    "SyncKind",
    "SyncRun",
    "SyncStatus",
    "TimelineEntry",
    "WebhookEvent",
    "WebhookStatus",
]
