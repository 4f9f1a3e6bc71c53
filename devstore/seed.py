"""Deterministic, realistic shop data: the same arguments always give the same shop, byte for byte.

Every draw comes from a ``random.Random`` seeded from (seed, platform, shop domain, stream), never the
global generator, and every date is an offset from ``now`` (a fixed date unless the caller passes the
real one). Separate streams for the catalogue, customers and orders keep each one independent of how
much of the others was drawn, so orders can be streamed (``iter_orders``) without holding them all.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from devstore import vocabulary as words
from devstore.models import Customer, Order, Platform, Product, Shop
from devstore.order_builder import FIRST_ORDER_NUMBER, ORDER_WINDOW, OrderBuilder, whole_seconds
from devstore.vocabulary import ascii_slug

DEFAULT_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SeedData:
    shop: Shop
    products: tuple[Product, ...]
    customers: tuple[Customer, ...]
    orders: tuple[Order, ...]


class IdSequence:
    """Increasing ids with random gaps, as the platforms hand them out (Shopify's are large)."""

    def __init__(self, rng: random.Random, start: int, max_gap: int) -> None:
        self._rng = rng
        self._next = start
        self._max_gap = max_gap

    def next(self) -> int:
        value = self._next
        self._next += self._rng.randint(1, self._max_gap)
        return value


# (start, max gap) per kind of object and platform: Shopify ids are 13-14 digit numbers, BigCommerce's
# small sequential ones. All stay below 2**53 so JavaScript clients can read them too.
_ID_SCHEMES: dict[Platform, dict[str, tuple[int, int]]] = {
    Platform.SHOPIFY: {
        "product": (8_012_345_000_000, 90_000_000),
        "variant": (44_123_456_000_000, 9_000_000),
        "customer": (7_234_567_000_000, 9_000_000),
        "order": (5_612_345_000_000, 9_000_000),
        "line_item": (14_234_567_000_000, 9_000_000),
        "fulfillment": (4_923_456_000_000, 9_000_000),
        "refund": (912_345_000_000, 9_000_000),
    },
    Platform.BIGCOMMERCE: {
        "product": (112, 1),
        "variant": (201, 1),
        "customer": (1, 1),
        "order": (FIRST_ORDER_NUMBER, 1),
        "line_item": (1, 1),
        "fulfillment": (1, 1),
        "refund": (1, 1),
    },
}


class SeedGenerator:
    """The streams behind ``generate``/``iter_orders``; use it to stream customers and orders once each."""

    def __init__(
        self,
        seed: int,
        platform: str | Platform = Platform.SHOPIFY,
        shop_domain: str = "demo.myshopify.com",
        now: datetime = DEFAULT_NOW,
    ) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.seed = seed
        self.platform = Platform(platform)
        self.shop_domain = shop_domain
        self.now = whole_seconds(now.astimezone(UTC))
        self._products: tuple[Product, ...] | None = None

    def _rng(self, stream: str) -> random.Random:
        # A str seed is hashed with SHA-512 by random.Random: stable across processes and Python runs.
        return random.Random(f"{self.seed}/{self.platform.value}/{self.shop_domain}/{stream}")

    def id_sequence(self, rng: random.Random, kind: str) -> IdSequence:
        start, max_gap = _ID_SCHEMES[self.platform][kind]
        if self.platform is Platform.SHOPIFY:
            # Shopify's ids are global: another shop's sequence starts elsewhere.
            start += rng.randrange(10**11)
        return IdSequence(rng, start, max_gap)

    def shop(self) -> Shop:
        rng = self._rng("shop")
        label = self.shop_domain.split(".")[0]
        name = " ".join(part.capitalize() for part in label.replace("_", "-").split("-")) or "Demo"
        if self.platform is Platform.SHOPIFY:
            shop_id, plan = rng.randrange(10**10, 9 * 10**10), rng.choice(("basic", "shopify", "advanced"))
        else:
            shop_id, plan = rng.randrange(10**6, 10**7), rng.choice(("standard", "plus", "pro"))
        return Shop(
            id=shop_id,
            platform=self.platform,
            domain=self.shop_domain,
            name=f"{name} Store",
            plan=plan,
            currency="USD",
            email=f"owner@{ascii_slug(label) or 'demo'}.example",
            created_at=self.now - timedelta(days=rng.randint(400, 1500)),
        )

    def products(self) -> tuple[Product, ...]:
        if self._products is None:
            rng = self._rng("catalogue")
            product_ids, variant_ids = self.id_sequence(rng, "product"), self.id_sequence(rng, "variant")
            catalogue: list[Product] = []
            for template in words.PRODUCTS:
                product_id = product_ids.next()
                for variant_title in template.variants:
                    suffix = "-".join(ascii_slug(part).upper() for part in variant_title.split("/"))
                    catalogue.append(
                        Product(
                            product_id=product_id,
                            variant_id=variant_ids.next(),
                            title=template.title,
                            variant_title=variant_title,
                            sku=f"{template.sku}-{suffix}" if len(template.variants) > 1 else template.sku,
                            price=template.price,
                            tags=template.tags,
                        )
                    )
            self._products = tuple(catalogue)
        return self._products

    def iter_customers(self, count: int) -> Iterator[Customer]:
        if count < 0:
            raise ValueError("count must be >= 0")
        rng = self._rng("customers")
        ids = self.id_sequence(rng, "customer")
        regions = words.REGIONS
        region_weights = [r.weight for r in regions]
        used_emails: set[str] = set()
        oldest = self.now - timedelta(days=730)
        # Customers exist before the order window opens, so every order can pick any of them.
        span = int((self.now - ORDER_WINDOW - oldest).total_seconds())
        for _ in range(count):
            region = rng.choices(regions, region_weights)[0]
            first = rng.choice(words.FIRST_NAMES[region.locale])
            last = rng.choice(words.LAST_NAMES[region.locale])
            email = self._unique_email(rng, first, last, used_emails)
            phone = None
            if rng.random() < 0.7:
                phone = region.phone_prefix + "".join(
                    str(rng.randrange(10)) for _ in range(region.phone_digits)
                )
            tags = tuple(sorted(rng.sample(words.CUSTOMER_TAGS, rng.choices((0, 1, 2), (55, 35, 10))[0])))
            created_at = oldest + timedelta(seconds=rng.randrange(span))
            updated_at = created_at + timedelta(
                seconds=rng.randrange(int((self.now - created_at).total_seconds()))
            )
            yield Customer(
                id=ids.next(),
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                locale=region.locale,
                country=region.country,
                currency=region.currency,
                tags=tags,
                accepts_marketing=rng.random() < 0.45,
                created_at=created_at,
                updated_at=updated_at,
            )

    @staticmethod
    def _unique_email(rng: random.Random, first: str, last: str, used: set[str]) -> str:
        f, lname = ascii_slug(first), ascii_slug(last)
        local = rng.choice((f"{f}.{lname}", f"{f}{lname}", f"{f[0]}.{lname}", f"{f}_{lname}", f"{lname}.{f}"))
        domain = rng.choice(words.EMAIL_DOMAINS)
        email, n = f"{local}@{domain}", 1
        while email in used:
            n += 1
            email = f"{local}{n}@{domain}"
        used.add(email)
        return email

    def iter_orders(self, count: int, customers: Sequence[Customer]) -> Iterator[Order]:
        """``count`` orders placed over the last ``ORDER_WINDOW``, numbered from #1001, oldest first."""
        if count < 0:
            raise ValueError("count must be >= 0")
        rng = self._rng("orders")
        kinds = ("order", "line_item", "fulfillment", "refund")
        new_id = {kind: self.id_sequence(rng, kind).next for kind in kinds}
        builder = OrderBuilder(rng, self.platform, self.now, self.products(), customers, new_id)
        for index in range(count):
            yield builder.build(index, count)


def generate(
    orders: int,
    customers: int,
    seed: int,
    platform: str = "shopify",
    shop_domain: str = "demo.myshopify.com",
    now: datetime = DEFAULT_NOW,
) -> SeedData:
    """A whole shop in memory. For large counts stream with ``iter_orders`` instead."""
    gen = SeedGenerator(seed, platform, shop_domain, now)
    customer_list = tuple(gen.iter_customers(customers))
    return SeedData(
        shop=gen.shop(),
        products=gen.products(),
        customers=customer_list,
        orders=tuple(gen.iter_orders(orders, customer_list)),
    )


def iter_orders(
    orders: int,
    customers: int,
    seed: int,
    platform: str = "shopify",
    shop_domain: str = "demo.myshopify.com",
    now: datetime = DEFAULT_NOW,
) -> Iterator[Order]:
    """The orders of ``generate(...)`` one at a time, without keeping them (customers are kept)."""
    gen = SeedGenerator(seed, platform, shop_domain, now)
    return gen.iter_orders(orders, tuple(gen.iter_customers(customers)))
