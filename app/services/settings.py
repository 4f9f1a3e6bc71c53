"""Merchant settings: a typed shape with PRODUCT.md §5 defaults over the ``Shop.settings`` JSON.

Reading never fails: a missing or unreadable value takes its default, so an old or hand-edited
document still gives a working shop. Writing goes through ``parse_settings_form`` (every field
checked, every message collected, nothing half-applied) and ``save_settings`` (one transaction:
the document, the staff limits, and one audit event per changed value, old → new).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from tortoise.transactions import in_transaction

from app.models import Shop, StaffUser
from app.services import audit

RESOLUTIONS = ("refund", "store_credit", "exchange")
SURVEY_KINDS = ("csat", "nps", "ces")
DEFAULT_REASONS = ("damaged/defective", "wrong item", "changed mind", "not as described", "other")
SUPPORTED_LOCALES = ("en", "de", "fr", "es", "it", "nl", "pt", "ja")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_MONEY = Decimal("1000000000")
MAX_LIST = 20
MAX_ITEM = 64


@dataclass(frozen=True)
class ReturnPolicy:
    window_days: int = 30  # from delivery (or fulfillment + the transit buffer)
    restocking_fee_percent: Decimal = Decimal("0")
    final_sale_tags: tuple[str, ...] = ("final-sale",)
    resolutions: tuple[str, ...] = RESOLUTIONS
    reasons: tuple[str, ...] = DEFAULT_REASONS


@dataclass(frozen=True)
class SurveySettings:
    kind: str = "csat"
    delay_days: int = 7  # after delivery
    transit_buffer_days: int = 5  # after fulfillment, when delivery is never reported
    support_delay_hours: int = 24  # after a return or refund is resolved
    expiry_days: int = 14
    throttle_days: int = 30  # one survey per customer per this many days, across kinds
    max_order_age_days: int = 30
    sampling_percent: int = 100
    reminder: bool = False  # one reminder after 3 days


@dataclass(frozen=True)
class Sender:
    name: str = ""  # empty: the shop's name
    email: str = ""  # empty: the app's default sender


@dataclass(frozen=True)
class Locales:
    default: str = "en"
    enabled: tuple[str, ...] = ("en", "de", "fr", "es")


@dataclass(frozen=True)
class MerchantSettings:
    return_policy: ReturnPolicy = field(default_factory=ReturnPolicy)
    surveys: SurveySettings = field(default_factory=SurveySettings)
    sender: Sender = field(default_factory=Sender)
    locales: Locales = field(default_factory=Locales)
    # Above this amount (shop currency) a staff member's refund waits for approval; None: no limit.
    staff_refund_limit: Decimal | None = None


def settings_of(shop: Shop) -> MerchantSettings:
    """The shop's settings, each value its stored one when readable, else its default."""
    stored = shop.settings if isinstance(shop.settings, dict) else {}
    defaults = MerchantSettings()
    return MerchantSettings(
        return_policy=_section(ReturnPolicy, stored.get("return_policy")),
        surveys=_section(SurveySettings, stored.get("surveys")),
        sender=_section(Sender, stored.get("sender")),
        locales=_section(Locales, stored.get("locales")),
        staff_refund_limit=_decimal_or(stored.get("staff_refund_limit"), defaults.staff_refund_limit),
    )


def _section(kind: Any, stored: Any) -> Any:
    default = kind()
    if not isinstance(stored, dict):
        return default
    values: dict[str, Any] = {}
    for name, current in asdict(default).items():
        value = stored.get(name)
        if isinstance(current, bool):
            values[name] = value if isinstance(value, bool) else current
        elif isinstance(current, int):
            values[name] = value if isinstance(value, int) and not isinstance(value, bool) else current
        elif isinstance(current, Decimal):
            values[name] = _decimal_or(value, current)
        elif isinstance(current, tuple):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            values[name] = tuple(value) if ok and isinstance(value, list) else current
        else:
            values[name] = value if isinstance(value, str) else current
    return kind(**values)


def _decimal_or(value: Any, default: Decimal | None) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return default
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return default
    return number if number.is_finite() else default


def to_document(settings: MerchantSettings) -> dict[str, Any]:
    """The JSON stored in ``Shop.settings``: decimals as strings (exact), tuples as lists."""
    return _plain(asdict(settings))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass(frozen=True)
class StaffLimit:
    staff_id: int
    refund_limit: Decimal | None  # None: the shop's default
    can_approve_refunds: bool


@dataclass(frozen=True)
class SettingsForm:
    """A checked form: ``settings`` and ``staff`` are usable only when ``errors`` is empty."""

    settings: MerchantSettings
    staff: list[StaffLimit]
    errors: dict[str, str]
    values: Mapping[str, str]  # what was typed, to show the form back as it was

    @property
    def ok(self) -> bool:
        return not self.errors


class _Reader:
    """Reads one form, collecting a message per bad field instead of stopping at the first."""

    def __init__(self, form: Mapping[str, str], lists: Mapping[str, Sequence[str]]) -> None:
        self.form, self.lists = form, lists
        self.errors: dict[str, str] = {}

    def text(self, name: str, default: str, max_length: int) -> str:
        value = self.form.get(name, default).strip()
        if len(value) > max_length:
            self.errors[name] = f"At most {max_length} characters."
        elif "\n" in value or "\r" in value:
            self.errors[name] = "One line only."
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.form.get(name, str(default)).strip()
        if not re.fullmatch(r"-?\d{1,9}", raw):
            self.errors[name] = "Enter a whole number."
            return default
        value = int(raw)
        if not low <= value <= high:
            self.errors[name] = f"Enter a number from {low} to {high}."
        return value

    def decimal(self, name: str, default: Decimal | None, low: Decimal, high: Decimal) -> Decimal | None:
        raw = self.form.get(name, "" if default is None else str(default)).strip()
        if raw == "":
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.errors[name] = "Enter a number."
            return default
        if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
            self.errors[name] = "Enter a number with at most 2 decimals."
        elif not low <= value <= high:
            self.errors[name] = f"Enter a number from {low} to {high}."
        return value

    def checked(self, name: str) -> bool:
        return self.form.get(name) in {"on", "true", "1"}

    def items(self, name: str, default: Sequence[str], split: Callable[[str], list[str]]) -> tuple[str, ...]:
        raw = self.form.get(name)
        values = list(default) if raw is None else [v.strip() for v in split(raw) if v.strip()]
        if len(values) > MAX_LIST:
            self.errors[name] = f"At most {MAX_LIST} entries."
        elif any(len(v) > MAX_ITEM for v in values):
            self.errors[name] = f"Each entry at most {MAX_ITEM} characters."
        return tuple(dict.fromkeys(values))  # without repeats, in the order typed

    def choices(self, name: str, allowed: Sequence[str]) -> tuple[str, ...]:
        values = tuple(self.lists.get(name, ()))
        if any(v not in allowed for v in values):
            self.errors[name] = "Choose from the options shown."
        return tuple(v for v in allowed if v in values)


def parse_settings_form(
    form: Mapping[str, str],
    lists: Mapping[str, Sequence[str]],
    current: MerchantSettings,
    staff_ids: Sequence[int],
) -> SettingsForm:
    """Check every field of the settings form. ``lists`` holds multi-valued fields (checkboxes);
    ``staff_ids`` are the shop's staff: a limit for anyone else is refused, not ignored."""
    read = _Reader(form, lists)
    policy = ReturnPolicy(
        window_days=read.integer("return_policy.window_days", current.return_policy.window_days, 0, 365),
        restocking_fee_percent=read.decimal(
            "return_policy.restocking_fee_percent",
            current.return_policy.restocking_fee_percent,
            Decimal("0"),
            Decimal("100"),
        )
        or Decimal("0"),
        final_sale_tags=read.items(
            "return_policy.final_sale_tags", current.return_policy.final_sale_tags, lambda s: s.split(",")
        ),
        resolutions=read.choices("return_policy.resolutions", RESOLUTIONS),
        reasons=read.items("return_policy.reasons", current.return_policy.reasons, str.splitlines),
    )
    if not policy.resolutions:
        read.errors["return_policy.resolutions"] = "Allow at least one resolution."
    if not policy.reasons:
        read.errors["return_policy.reasons"] = "Keep at least one reason."
    s = current.surveys
    kind = read.text("surveys.kind", s.kind, 8)
    if kind not in SURVEY_KINDS:
        read.errors["surveys.kind"] = "Choose CSAT, NPS or CES."
    surveys = SurveySettings(
        kind=kind,
        delay_days=read.integer("surveys.delay_days", s.delay_days, 0, 90),
        transit_buffer_days=read.integer("surveys.transit_buffer_days", s.transit_buffer_days, 0, 60),
        support_delay_hours=read.integer("surveys.support_delay_hours", s.support_delay_hours, 0, 720),
        expiry_days=read.integer("surveys.expiry_days", s.expiry_days, 1, 90),
        throttle_days=read.integer("surveys.throttle_days", s.throttle_days, 0, 365),
        max_order_age_days=read.integer("surveys.max_order_age_days", s.max_order_age_days, 1, 365),
        sampling_percent=read.integer("surveys.sampling_percent", s.sampling_percent, 0, 100),
        reminder=read.checked("surveys.reminder"),
    )
    sender = Sender(
        name=read.text("sender.name", current.sender.name, 100),
        email=read.text("sender.email", current.sender.email, 254).lower(),
    )
    if sender.email and not EMAIL.match(sender.email):
        read.errors["sender.email"] = "Enter an email address like support@example.com."
    locales = Locales(
        default=read.text("locales.default", current.locales.default, 8),
        enabled=read.choices("locales.enabled", SUPPORTED_LOCALES),
    )
    if not locales.enabled:
        read.errors["locales.enabled"] = "Enable at least one language."
    elif locales.default not in locales.enabled:
        read.errors["locales.default"] = "The default language must be one of those enabled."
    limit = read.decimal("staff_refund_limit", current.staff_refund_limit, Decimal("0"), MAX_MONEY)
    settings = MerchantSettings(policy, surveys, sender, locales, limit)
    return SettingsForm(settings, _staff_limits(read, staff_ids), read.errors, form)


def _staff_limits(read: _Reader, staff_ids: Sequence[int]) -> list[StaffLimit]:
    known = set(staff_ids)
    limits = []
    for staff_id in read.lists.get("staff", ()):
        if not re.fullmatch(r"[0-9]{1,10}", staff_id) or int(staff_id) not in known:
            read.errors["staff"] = "A staff member on the form is not one of this store's staff."
            continue
        limits.append(
            StaffLimit(
                int(staff_id),
                read.decimal(f"staff.{staff_id}.refund_limit", None, Decimal("0"), MAX_MONEY),
                read.checked(f"staff.{staff_id}.can_approve_refunds"),
            )
        )
    return limits


def changes(old: MerchantSettings, new: MerchantSettings) -> dict[str, tuple[Any, Any]]:
    """Every value that differs, by dotted name ("surveys.delay_days"), as (old, new) JSON values."""
    before, after = _flat(to_document(old)), _flat(to_document(new))
    return {name: (before.get(name), after[name]) for name in after if before.get(name) != after[name]}


def _flat(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in document.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


async def save_settings(shop: Shop, staff: StaffUser, form: SettingsForm) -> int:
    """Apply a checked form in one transaction; returns how many values changed (each audited)."""
    if not form.ok:
        raise ValueError("save_settings needs a form without errors")
    actor = f"staff:{staff.email or staff.platform_user_id}"
    changed = 0
    async with in_transaction():
        fresh = await Shop.select_for_update().get(id=shop.id)
        old = settings_of(fresh)
        diff = changes(old, form.settings)
        if diff:
            # Keep keys this code does not know (written by a newer version, or other features).
            fresh.settings = {**(fresh.settings or {}), **to_document(form.settings)}
            await fresh.save(update_fields=["settings"])
        for name, (was, now) in diff.items():
            await audit.record(
                "settings.changed",
                shop_id=shop.id,
                actor=actor,
                staff_id=staff.id,
                subject_type="setting",
                subject_id=name,
                data={"old": was, "new": now},
            )
        changed += len(diff)
        changed += await _save_staff_limits(shop.id, staff, actor, form.staff)
    shop.settings = fresh.settings
    return changed


async def _save_staff_limits(shop_id: int, staff: StaffUser, actor: str, limits: list[StaffLimit]) -> int:
    changed = 0
    for limit in limits:
        member = await StaffUser.get(id=limit.staff_id, shop_id=shop_id)
        was_limit = None if member.refund_limit is None else str(Decimal(member.refund_limit).normalize())
        now_limit = None if limit.refund_limit is None else str(limit.refund_limit.normalize())
        updates: dict[str, Any] = {}
        if was_limit != now_limit:
            updates["refund_limit"] = (was_limit, now_limit)
        if member.can_approve_refunds != limit.can_approve_refunds:
            updates["can_approve_refunds"] = (member.can_approve_refunds, limit.can_approve_refunds)
        if not updates:
            continue
        await StaffUser.filter(id=member.id, shop_id=shop_id).update(
            refund_limit=limit.refund_limit, can_approve_refunds=limit.can_approve_refunds
        )
        for name, (was, now) in updates.items():
            await audit.record(
                "staff.refund_limit_changed" if name == "refund_limit" else "staff.approval_changed",
                shop_id=shop_id,
                actor=actor,
                staff_id=staff.id,
                subject_type="staff_user",
                subject_id=str(member.id),
                data={"field": name, "old": was, "new": now},
            )
            changed += 1
    return changed
