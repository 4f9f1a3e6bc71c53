"""The words the seed generator draws from: names per locale, regions, products, carriers.

Kept apart from the generator so that the generator reads as rules, not as lists.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Region:
    locale: str
    country: str
    currency: str
    weight: int
    phone_prefix: str  # E.164 country code plus the fixed leading digits of a mobile number
    phone_digits: int  # how many random digits follow the prefix
    carriers: tuple[str, ...]


REGIONS: tuple[Region, ...] = (
    Region("en", "US", "USD", 40, "+1202555", 4, ("USPS", "UPS", "FedEx")),
    Region("en", "GB", "GBP", 12, "+447700", 6, ("Royal Mail", "DHL Express")),
    Region("en", "CA", "CAD", 7, "+1613555", 4, ("Canada Post", "UPS")),
    Region("fr", "CA", "CAD", 2, "+1514555", 4, ("Canada Post",)),
    Region("de", "DE", "EUR", 14, "+49151", 8, ("DHL Express", "UPS")),
    Region("de", "AT", "EUR", 3, "+43664", 7, ("DHL Express",)),
    Region("fr", "FR", "EUR", 12, "+336", 8, ("La Poste", "DHL Express")),
    Region("es", "ES", "EUR", 10, "+346", 8, ("Correos", "DHL Express")),
)


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only: what an email local part derived from a name keeps."""
    text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _names(words: str) -> tuple[str, ...]:
    return tuple(words.split())


# Who ships where: a parcel to Germany goes with DHL, not Canada Post.
CARRIERS_BY_COUNTRY: dict[str, tuple[str, ...]] = {}
for _region in REGIONS:
    CARRIERS_BY_COUNTRY.setdefault(_region.country, _region.carriers)

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _names(
        """
        James Olivia Liam Emma Noah Ava William Sophia Benjamin Isabella Lucas Mia Henry Charlotte
        Alexander Amelia Ethan Harper Daniel Evelyn Michael Abigail Jack Emily Samuel Grace Oliver
        Chloe
        """
    ),
    "de": _names(
        """
        Lukas Anna Leon Marie Finn Sophie Jonas Lena Paul Hannah Felix Lea Maximilian Johanna Moritz
        Katharina Jürgen Jörg Greta Sören Matthias Ursula Stefan Sabine
        """
    ),
    "fr": _names(
        """
        Louis Camille Gabriel Léa Raphaël Chloé Arthur Manon Hugo Inès Jules Zoé Théo Juliette
        François Hélène Mathis Élodie Noé Céline Antoine Margaux Étienne Amélie
        """
    ),
    "es": _names(
        """
        Hugo Lucía Martín Sofía Mateo Martina Pablo María Álvaro Paula Alejandro Valeria Daniel
        Carmen Javier Elena Sergio Inés Andrés Noelia José Begoña Iñigo Ángela
        """
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": _names(
        """
        Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Anderson Thomas Moore Martin
        Thompson White Harris Clark Lewis Walker Young O'Brien Hughes Campbell Murphy Patel Nguyen
        """
    ),
    "de": _names(
        """
        Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
        Bauer Richter Klein Wolf Schröder Neumann Braun Zimmermann Krüger Weiß Groß Lange
        """
    ),
    "fr": _names(
        """
        Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre
        Michel Garcia David Bertrand Roux Fontaine Chevalier Girard Bonnet Dupont Lambert
        """
    ),
    "es": _names(
        """
        García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz
        Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez Ibáñez
        """
    ),
}

# Reserved names only (RFC 2606 / RFC 6761): seeded addresses must never reach a real mailbox,
# even if someone points the app at a real SMTP server.
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org", "mail.example", "post.example")

CUSTOMER_TAGS: tuple[str, ...] = ("vip", "newsletter", "returning", "wholesale", "influencer", "b2b")
ORDER_TAGS: tuple[str, ...] = ("gift", "subscription", "priority", "wholesale", "pos", "instagram")
CANCEL_REASONS: tuple[str, ...] = ("customer", "inventory", "fraud", "declined", "other")
REFUND_NOTES: tuple[str, ...] = (
    "Damaged in transit",
    "Wrong size",
    "Changed mind",
    "Item not as described",
    "Wrong item sent",
    "",
)

FINAL_SALE = "final-sale"


@dataclass(frozen=True, slots=True)
class ProductTemplate:
    title: str
    sku: str
    price: Decimal  # USD
    variants: tuple[str, ...]  # variant titles; ("Default Title",) for products without options
    tags: tuple[str, ...] = ()


_SIZES = ("S", "M", "L", "XL")
_SHOE_SIZES = ("38", "40", "42", "44")

PRODUCTS: tuple[ProductTemplate, ...] = (
    ProductTemplate(
        "Merino Crew Sweater", "MCS", Decimal("89.00"), tuple(f"{s} / Navy" for s in _SIZES), ("apparel",)
    ),
    ProductTemplate(
        "Organic Cotton Tee", "OCT", Decimal("29.00"), tuple(f"{s} / White" for s in _SIZES), ("apparel",)
    ),
    ProductTemplate(
        "Linen Shirt", "LNS", Decimal("65.00"), tuple(f"{s} / Sand" for s in _SIZES), ("apparel",)
    ),
    ProductTemplate(
        "Selvedge Denim Jeans", "SDJ", Decimal("120.00"), ("30/32", "32/32", "34/32", "36/34"), ("apparel",)
    ),
    ProductTemplate(
        "Rain Shell Jacket",
        "RSJ",
        Decimal("149.00"),
        tuple(f"{s} / Olive" for s in _SIZES),
        ("apparel", "outerwear"),
    ),
    ProductTemplate("Wool Beanie", "WBN", Decimal("24.00"), ("Charcoal", "Rust", "Cream"), ("accessories",)),
    ProductTemplate("Leather Belt", "LBT", Decimal("45.00"), ("85 cm", "95 cm", "105 cm"), ("accessories",)),
    ProductTemplate("Canvas Tote Bag", "CTB", Decimal("32.00"), ("Default Title",), ("accessories",)),
    ProductTemplate("Everyday Sneakers", "EVS", Decimal("95.00"), _SHOE_SIZES, ("footwear",)),
    ProductTemplate("Trail Running Shoes", "TRS", Decimal("135.00"), _SHOE_SIZES, ("footwear",)),
    ProductTemplate("Merino Socks 3-Pack", "MSP", Decimal("27.00"), ("S/M", "L/XL"), ("apparel",)),
    ProductTemplate("Ceramic Pour-Over Set", "CPS", Decimal("58.00"), ("White", "Speckled"), ("home",)),
    ProductTemplate("Single-Origin Coffee Beans", "SCB", Decimal("18.50"), ("250 g", "1 kg"), ("food",)),
    ProductTemplate("Stainless Water Bottle", "SWB", Decimal("34.00"), ("500 ml", "750 ml"), ("outdoor",)),
    ProductTemplate("Insulated Camping Mug", "ICM", Decimal("22.00"), ("Forest", "Sky"), ("outdoor",)),
    ProductTemplate("Down Sleeping Bag", "DSB", Decimal("289.00"), ("Regular", "Long"), ("outdoor",)),
    ProductTemplate("Linen Duvet Cover", "LDC", Decimal("159.00"), ("Single", "Double", "King"), ("home",)),
    ProductTemplate("Scented Soy Candle", "SSC", Decimal("26.00"), ("Fig", "Cedar", "Sea Salt"), ("home",)),
    ProductTemplate("Hand-Thrown Vase", "HTV", Decimal("74.00"), ("Small", "Large"), ("home",)),
    ProductTemplate("Bamboo Cutting Board", "BCB", Decimal("39.00"), ("Default Title",), ("home",)),
    ProductTemplate("Wireless Earbuds", "WEB", Decimal("129.00"), ("Black", "White"), ("electronics",)),
    ProductTemplate(
        "Phone Case", "PHC", Decimal("29.00"), ("iPhone 15", "iPhone 16", "Pixel 9"), ("electronics",)
    ),
    ProductTemplate("USB-C Charging Cable", "UCC", Decimal("15.00"), ("1 m", "2 m"), ("electronics",)),
    ProductTemplate("Yoga Mat", "YGM", Decimal("68.00"), ("Sage", "Plum"), ("fitness",)),
    ProductTemplate("Resistance Bands Set", "RBS", Decimal("35.00"), ("Default Title",), ("fitness",)),
    ProductTemplate(
        "Sample Sale Cardigan",
        "SSK",
        Decimal("49.00"),
        tuple(f"{s} / Grey" for s in _SIZES),
        ("apparel", FINAL_SALE),
    ),
    ProductTemplate(
        "Clearance Sunglasses", "CSG", Decimal("39.00"), ("Tortoise", "Black"), ("accessories", FINAL_SALE)
    ),
    ProductTemplate("Gift Card", "GFT", Decimal("50.00"), ("$25", "$50", "$100"), ("gift-card", FINAL_SALE)),
    ProductTemplate(
        "Swim Shorts (Last Season)",
        "SWS",
        Decimal("35.00"),
        tuple(f"{s} / Coral" for s in _SIZES),
        ("apparel", FINAL_SALE),
    ),
    ProductTemplate(
        "Engraved Pocket Knife", "EPK", Decimal("79.00"), ("Default Title",), ("outdoor", FINAL_SALE)
    ),
)

# Flat rates and free-shipping thresholds per currency, in that currency.
SHIPPING: dict[str, tuple[Decimal, Decimal]] = {
    "USD": (Decimal("7.95"), Decimal("100.00")),
    "CAD": (Decimal("11.95"), Decimal("140.00")),
    "EUR": (Decimal("5.90"), Decimal("90.00")),
    "GBP": (Decimal("4.95"), Decimal("80.00")),
}

# Sales tax / VAT applied to the discounted subtotal, by country.
TAX_RATES: dict[str, Decimal] = {
    "US": Decimal("0.0725"),
    "CA": Decimal("0.13"),
    "GB": Decimal("0.20"),
    "DE": Decimal("0.19"),
    "AT": Decimal("0.20"),
    "FR": Decimal("0.20"),
    "ES": Decimal("0.21"),
}

# Fixed rates from USD: prices are converted once and end in .00/.50 like a merchant's price list.
FX_FROM_USD: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "CAD": Decimal("1.36"),
    "EUR": Decimal("0.92"),
    "GBP": Decimal("0.79"),
}

TRACKING_URLS: dict[str, str] = {
    "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "UPS": "https://www.ups.com/track?tracknum={number}",
    "FedEx": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "DHL Express": "https://www.dhl.com/en/express/tracking.html?AWB={number}",
    "Canada Post": "https://www.canadapost-postescanada.ca/track-reperez/en#/search?searchFor={number}",
    "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    "La Poste": "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
    "Correos": "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number={number}",
}

# How each carrier's numbers look: "#" is a random digit, "@" a random capital letter, the rest literal.
TRACKING_FORMATS: dict[str, str] = {
    "USPS": "9400111#################",
    "UPS": "1Z@@@###########",
    "FedEx": "############",
    "DHL Express": "##########",
    "Canada Post": "################",
    "Royal Mail": "@@#########GB",
    "La Poste": "6A###########",
    "Correos": "PQ####@##########",
}
