from __future__ import annotations

from typing import Any

from tortoise import fields

from app.models.base import Platform, Timestamped, currency


class Shop(Timestamped):
    """One installed store. Every other row belongs to exactly one shop."""

    id = fields.IntField(primary_key=True)
    platform = fields.CharEnumField(Platform, max_length=16)
    # Shopify: "{name}.myshopify.com"; BigCommerce: the store hash.
    domain = fields.CharField(max_length=255)
    platform_id = fields.CharField(max_length=64, null=True)
    name = fields.CharField(max_length=255, default="")
    email = fields.CharField(max_length=255, default="")
    plan = fields.CharField(max_length=64, default="")
    currency = currency()
    timezone = fields.CharField(max_length=64, default="UTC")
    locale = fields.CharField(max_length=16, default="en")
    scopes = fields.TextField(default="")
    # Tokens are stored encrypted (app.crypto); never read these columns without the cipher.
    access_token_encrypted = fields.TextField(null=True)
    access_token_expires_at = fields.DatetimeField(null=True)
    refresh_token_encrypted = fields.TextField(null=True)
    refresh_token_expires_at = fields.DatetimeField(null=True)
    needs_reauth = fields.BooleanField(default=False)
    installed_at = fields.DatetimeField(null=True)
    uninstalled_at = fields.DatetimeField(null=True)
    is_active = fields.BooleanField(default=True)
    # Merchant settings (return policy, surveys, refund limits, sender, locales) as one document;
    # app.services.settings gives it a typed shape and defaults.
    settings: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # Sync high-water mark: the newest platform updated_at fully imported.
    synced_through = fields.DatetimeField(null=True)

    class Meta:
        table = "shop"
        unique_together = (("platform", "domain"),)

    def __str__(self) -> str:
        return f"{self.platform}:{self.domain}"


class StaffUser(Timestamped):
    """A member of the store's staff, as the platform identifies them (session `sub`, BC user id)."""

    id = fields.IntField(primary_key=True)
    shop: fields.ForeignKeyRelation[Shop] = fields.ForeignKeyField(
        "models.Shop", related_name="staff", on_delete=fields.CASCADE
    )
    platform_user_id = fields.CharField(max_length=64)
    email = fields.CharField(max_length=255, default="")
    name = fields.CharField(max_length=255, default="")
    locale = fields.CharField(max_length=16, default="en")
    is_owner = fields.BooleanField(default=False)
    can_approve_refunds = fields.BooleanField(default=False)
    # Above this amount (shop currency) a refund by this user waits for approval; null = shop default.
    refund_limit = fields.DecimalField(max_digits=18, decimal_places=4, null=True)
    removed_at = fields.DatetimeField(null=True)
    last_seen_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_user"
        unique_together = (("shop", "platform_user_id"),)
