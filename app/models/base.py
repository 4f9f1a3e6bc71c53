"""Field conventions shared by every model: money, timestamps, shop ownership."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


def money() -> fields.DecimalField[Decimal]:
    """Money is a Decimal with 4 places (enough for 3-decimal currencies); its currency sits beside it."""
    return fields.DecimalField(max_digits=18, decimal_places=4, default=Decimal("0"))


def currency() -> fields.CharField:
    return fields.CharField(max_length=3, default="USD")


class Platform(StrEnum):
    SHOPIFY = "shopify"
    BIGCOMMERCE = "bigcommerce"


class Timestamped(Model):
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class PlatformObject(Timestamped):
    """A row mirrored from the platform: unique on (shop, platform_id); never regressed in time."""

    platform_id = fields.CharField(max_length=64)
    # The platform's own updated_at: an upsert carrying an older value is ignored.
    platform_updated_at = fields.DatetimeField(null=True)

    class Meta:
        abstract = True
