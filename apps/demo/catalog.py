"""Hand-written demo content: regions, people, invented wedding suppliers and past trips.

Real places come from ``data/*.csv`` (see ``data/README.md`` for sources); everything
here that is not in those files is invented for the demo and says so in its description.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEMO_PASSWORD = "demo-pass-123"


@dataclass(frozen=True)
class Region:
    """A demo destination; ``name`` is the ``city`` used by the CSV files and our rows."""

    name: str
    prefix: str
    country: str
    time_zone: str
    currency: str


REGIONS = {
    "Tokyo": Region("Tokyo", "TKO", "JP", "Asia/Tokyo", "JPY"),
    "Lisbon": Region("Lisbon", "LIS", "PT", "Europe/Lisbon", "EUR"),
    "Tuscany": Region("Tuscany", "TUS", "IT", "Europe/Rome", "EUR"),
}

# Price per room-night by the CSV's price band, in each region's currency.
ROOM_NIGHT = {
    "JPY": {"budget": Decimal("4800"), "mid-range": Decimal("19000"), "luxury": Decimal("68000")},
    "EUR": {"budget": Decimal("38"), "mid-range": Decimal("145"), "luxury": Decimal("430")},
}
# Estimates where the CSV has no price: a meal, a guided visit or tasting, a day tour.
ESTIMATED_PRICE = {
    "JPY": {"meal": Decimal("3500"), "visit": Decimal("1500"), "tour": Decimal("9000")},
    "EUR": {"meal": Decimal("28"), "visit": Decimal("12"), "tour": Decimal("45")},
}

# The four logins of the demo: username → (role, first, last, e-mail, time zone, currency).
LOGINS = {
    "traveler": ("traveler", "Alex", "Rivera", "traveler@demo.traveloure.local", "America/New_York", "USD"),
    "expert": ("expert", "Aiko", "Tanaka", "expert@demo.traveloure.local", "Asia/Tokyo", "JPY"),
    "vendor": ("vendor", "Haruto", "Sato", "vendor@demo.traveloure.local", "Asia/Tokyo", "JPY"),
    "staff": ("staff", "Sam", "Okafor", "staff@demo.traveloure.local", "UTC", "EUR"),
}
# The Lisbon wedding venue's login (negotiates, sets payment schedules, checks guests in).
VENDOR_LOGINS = {
    "vendor_lisbon": ("vendor", "Marta", "Lopes", "vendor_lisbon@demo.traveloure.local", "Europe/Lisbon", "EUR"),
}
# Other travelers of the past trips.
TRAVELERS = {
    "traveler_emma": ("traveler", "Emma", "Clarke", "emma@demo.traveloure.local", "Europe/London", "GBP"),
}
# The Tokyo tour the ``vendor`` login manages (manual confirmation, for the review flow).
DEMO_VENDOR_PLACE = "Asakusa rickshaw tours (Kaminarimon area)"
# The Tokyo tour operator whose inventory lives in its own OCTO system (the demo's fake
# supplier, when settings.TRAVELOURE["OCTO_FAKE_PORT"] is set): vendor code, name, product.
OCTO_VENDOR = ("TKO-OCTO", "Shinjuku Night Walks", "Shinjuku night food walk", "tokyo-night-food-walk")


@dataclass(frozen=True)
class ExpertProfile:
    username: str
    first_name: str
    last_name: str
    region: str
    headline: str
    bio: str
    specializations: tuple[str, ...]
    destinations: tuple[str, ...]
    languages: tuple[str, ...]
    capacity_max: int
    rating: str
    response_time_hours: int
    booking_preference: str
    channel: str


EXPERTS = (
    ExpertProfile(
        "expert", "Aiko", "Tanaka", "Tokyo", "Tokyo food and temple neighbourhoods, the slow way",
        "Born in Asakusa, ten years guiding small groups through Tokyo's old shitamachi quarters, "
        "depachika food halls and vegetarian temple cooking.",
        ("travel", "food", "culture", "history"), ("Tokyo",), ("ja", "en"), 5, "4.90", 4, "handle_all", "chat"),
    ExpertProfile(
        "expert_kenji", "Kenji", "Morita", "Tokyo", "Design, art and night-time Tokyo",
        "Former architecture journalist; plans days around museums, new buildings and the best "
        "izakaya alleys of Shinjuku and Shibuya.",
        ("travel", "art", "architecture", "nightlife", "photography"), ("Tokyo",), ("ja", "en", "fr"), 4, "4.70", 12,
        "advise_only", "video"),
    ExpertProfile(
        "expert_ines", "Inês", "Carvalho", "Lisbon", "Lisbon's hills, fado and azulejos",
        "Lisbon native and art historian; walks travelers from Alfama's miradouros to Belém's monuments "
        "and knows where fado is still sung for locals.",
        ("travel", "culture", "history", "art", "food"), ("Lisbon",), ("pt", "en", "es"), 6, "4.80", 6, "handle_all",
        "chat"),
    ExpertProfile(
        "expert_miguel", "Miguel", "Sousa", "Lisbon", "Family trips and plant-based Lisbon",
        "Father of three and vegan cook; builds relaxed Lisbon days with the Oceanário, parks and "
        "the city's best vegan tascas.",
        ("travel", "family", "food", "nature"), ("Lisbon",), ("pt", "en"), 3, "4.60", 24, "advise_only", "email"),
    ExpertProfile(
        "expert_giulia", "Giulia", "Bianchi", "Tuscany", "Destination weddings in Florence and Chianti",
        "Wedding planner for fifteen years: castles near Fiesole, wine estates in Chianti, "
        "every supplier briefed in Italian and English.",
        ("wedding", "event", "food"), ("Tuscany", "Florence", "Siena"), ("it", "en"), 3, "4.95", 8, "handle_all",
        "video"),
    ExpertProfile(
        "expert_lorenzo", "Lorenzo", "Conti", "Tuscany", "Intimate Tuscan weddings and elopements",
        "Specialises in small weddings of 10–60 guests in villas and chapels between Florence and Siena.",
        ("wedding", "event", "photography"), ("Tuscany", "Florence", "Siena"), ("it", "en", "de"), 4, "4.75", 12,
        "handle_all", "phone"),
    ExpertProfile(
        "expert_sofia", "Sofia", "Marchetti", "Tuscany", "Florence art and Chianti wine country",
        "Sommelier and licensed Florence guide; pairs the Uffizi and the Duomo with tastings at "
        "family wineries in Chianti Classico.",
        ("travel", "art", "food", "history"), ("Tuscany", "Florence", "Siena"), ("it", "en"), 5, "4.85", 6,
        "advise_only", "chat"),
)


@dataclass(frozen=True)
class Supplier:
    """An invented supplier (not in the CSV files), placed near ``lat``/``lon``."""

    region: str
    vendor_type: str
    name: str
    lat: float
    lon: float
    offering: str
    price: str
    duration_min: int
    times: tuple[str, ...]
    capacity: int
    interests: tuple[str, ...] = ()
    owner: str = ""  # the username that manages it, if any


TRANSFER_TIMES = ("09:00", "13:00", "18:00")
SUPPLIERS = (
    Supplier("Tuscany", "caterer", "Sapori di Fiesole Catering", 43.8066, 11.2936, "Tuscan wedding banquet (per guest)",
             "120", 660, ("12:00",), 1, ("food",)),
    Supplier("Tuscany", "caterer", "Cucina del Chianti Eventi", 43.5850, 11.3170, "Chianti estate dinner (per guest)",
             "95", 600, ("13:00",), 1, ("food",)),
    Supplier("Tuscany", "photographer", "Luce d'Arno Fotografia", 43.7700, 11.2550, "Full wedding day photography",
             "3200", 600, ("10:00",), 1, ("photography",)),
    Supplier("Tuscany", "photographer", "Senese Wedding Stories", 43.3188, 11.3308, "Ceremony and reception photos",
             "2400", 480, ("12:00",), 1, ("photography",)),
    Supplier("Tuscany", "florist", "Fiori di Oltrarno", 43.7650, 11.2490, "Ceremony and table flowers",
             "1800", 240, ("08:00",), 1, ("art",)),
    Supplier("Tuscany", "florist", "Giardino Senese Fiori", 43.3220, 11.3290, "Bridal bouquet and chapel flowers",
             "900", 180, ("08:00",), 1, ("art",)),
    Supplier("Tuscany", "music", "Quartetto Santa Croce", 43.7686, 11.2622, "String quartet, ceremony and aperitivo",
             "1400", 180, ("16:00",), 1, ("culture",)),
    Supplier("Tuscany", "music", "Chianti Swing Band", 43.5840, 11.3150, "Dinner and dance band (4 hours)",
             "2600", 240, ("20:00",), 1, ("nightlife",)),
    Supplier("Tokyo", "transport", "Tokyo Bay Airport Transfers", 35.6812, 139.7671,
             "Haneda or Narita private transfer", "24000", 90, TRANSFER_TIMES, 3),
    Supplier("Lisbon", "transport", "Alfama Airport Shuttle", 38.7139, -9.1334,
             "Lisbon airport private transfer", "45", 45, TRANSFER_TIMES, 3),
    Supplier("Tuscany", "transport", "Firenze Chauffeur Service", 43.7763, 11.2480,
             "Florence airport or station transfer", "85", 60, TRANSFER_TIMES, 3),
    # Wedding suppliers of Lisbon and Tokyo (venues.csv has Tuscany's only); appended last
    # so that the codes of the vendors above never change.
    Supplier("Lisbon", "venue", "Quinta das Janelas Verdes", 38.7058, -9.1605, "Exclusive use for a wedding day",
             "7800", 720, ("11:00",), 1, ("architecture", "culture"), owner="vendor_lisbon"),
    Supplier("Lisbon", "venue", "Terraço do Tejo Eventos", 38.6975, -9.2040, "Riverside terrace wedding",
             "5200", 600, ("12:00",), 1, ("architecture",)),
    Supplier("Lisbon", "caterer", "Sabores de Alfama Catering", 38.7120, -9.1300, "Portuguese wedding menu (per guest)",
             "85", 600, ("12:00",), 1, ("food",)),
    Supplier("Lisbon", "photographer", "Luz de Lisboa Fotografia", 38.7110, -9.1420, "Full wedding day photography",
             "2600", 600, ("10:00",), 1, ("photography",)),
    Supplier("Lisbon", "florist", "Flores do Chiado", 38.7105, -9.1425, "Ceremony and table flowers",
             "1200", 240, ("08:00",), 1, ("art",)),
    Supplier("Lisbon", "music", "Fado e Cordas", 38.7115, -9.1290, "Fado duo and string trio", "1300", 180,
             ("16:00",), 1, ("culture",)),
    Supplier("Tokyo", "venue", "Meguro Garden Chapel", 35.6335, 139.7155, "Chapel and garden reception",
             "1200000", 600, ("11:00",), 1, ("architecture", "culture")),
    Supplier("Tokyo", "caterer", "Edo Kaiseki Catering", 35.6700, 139.7650, "Kaiseki wedding banquet (per guest)",
             "18000", 600, ("12:00",), 1, ("food",)),
    Supplier("Tokyo", "photographer", "Sakura Lens Studio", 35.6620, 139.7040, "Full wedding day photography",
             "380000", 600, ("10:00",), 1, ("photography",)),
    Supplier("Tokyo", "florist", "Aoyama Hana Atelier", 35.6650, 139.7120, "Bouquet, chapel and table flowers",
             "180000", 240, ("08:00",), 1, ("art",)),
    Supplier("Tokyo", "music", "Shibuya String Ensemble", 35.6590, 139.7010, "String quartet, ceremony and dinner",
             "220000", 180, ("16:00",), 1, ("culture",)),
)


@dataclass(frozen=True)
class Stop:
    """One item of a past day: ``ref`` is a vendor name when ``booked``, else a place name."""

    day: int
    time: str
    kind: str
    ref: str
    booked: bool = False
    quantity: int = 2


@dataclass(frozen=True)
class PastTrip:
    title: str
    traveler: str
    expert: str
    region: str
    experience_type: str
    days_ago: int
    nights: int
    adults: int
    budget: tuple[str, str]
    interests: tuple[str, ...]
    stops: tuple[Stop, ...]
    expert_review: tuple[int, str]
    vendor_reviews: dict[str, tuple[int, str]]
    guest_count: int | None = None


PAST_TRIPS = (
    PastTrip(
        "Spring week in Tokyo", "traveler", "expert", "Tokyo", "travel", 160, 5, 2, ("3000", "5000"),
        ("food", "culture"),
        (Stop(0, "15:00", "stay", "Hotel Gracery Shinjuku", booked=True, quantity=1),
         Stop(1, "09:00", "activity", "Sensō-ji (Asakusa Kannon)"),
         Stop(1, "11:00", "activity", DEMO_VENDOR_PLACE, booked=True),
         Stop(1, "12:30", "meal", "Kanda Yabu Soba", booked=True),
         Stop(2, "10:00", "activity", "Tokyo National Museum", booked=True),
         Stop(2, "19:30", "meal", "Ain Soph. Journey (Shinjuku)", booked=True),
         Stop(3, "10:00", "activity", "teamLab Planets TOKYO", booked=True),
         Stop(3, "15:00", "activity", "Hama-rikyu Gardens")),
        (5, "Aiko planned every day around our vegetarian needs and the rain."),
        {DEMO_VENDOR_PLACE: (5, "Our rickshaw driver was a storyteller."),
         "Ain Soph. Journey (Shinjuku)": (4, "Delicious vegan food, a little crowded."),
         "Hotel Gracery Shinjuku": (4, "Great location, small room.")}),
    PastTrip(
        "Autumn in Lisbon", "traveler", "expert_ines", "Lisbon", "travel", 300, 4, 2, ("1800", "2800"),
        ("history", "art", "food"),
        (Stop(0, "15:00", "stay", "HF Fénix Music", booked=True, quantity=1),
         Stop(1, "10:00", "activity", "Mosteiro dos Jerónimos", booked=True),
         Stop(1, "12:30", "meal", "Pastéis de Belém"),
         Stop(1, "14:00", "activity", "Torre de Belém (Belém Tower)", booked=True),
         Stop(2, "10:00", "activity", "Museu Nacional do Azulejo", booked=True),
         Stop(2, "19:30", "meal", "Cervejaria Ramiro", booked=True),
         Stop(3, "10:00", "activity", "Oceanário de Lisboa", booked=True)),
        (5, "Inês showed us a Lisbon we would never have found alone."),
        {"Cervejaria Ramiro": (5, "The best prawns of our lives."),
         "Oceanário de Lisboa": (4, "Beautiful, go early to avoid the queue.")}),
    PastTrip(
        "Emma & Noah's wedding in Fiesole", "traveler_emma", "expert_giulia", "Tuscany", "wedding", 90, 2, 2,
        ("30000", "45000"), ("food", "culture"),
        (Stop(0, "15:00", "stay", "Grand Hotel Villa Medici (Sina)", booked=True, quantity=1),
         Stop(1, "08:00", "activity", "Fiori di Oltrarno", booked=True, quantity=1),
         Stop(1, "10:00", "activity", "Luce d'Arno Fotografia", booked=True, quantity=1),
         Stop(1, "11:00", "activity", "Castello di Vincigliata (Fiesole)", booked=True, quantity=1),
         Stop(1, "12:00", "meal", "Sapori di Fiesole Catering", booked=True, quantity=80),
         Stop(1, "16:00", "activity", "Quartetto Santa Croce", booked=True, quantity=1)),
        (5, "Giulia handled every supplier; we only had to enjoy the day."),
        {"Castello di Vincigliata (Fiesole)": (5, "A fairy-tale setting above Florence."),
         "Sapori di Fiesole Catering": (5, "Our guests still talk about the food."),
         "Luce d'Arno Fotografia": (4, "Wonderful photos, delivered a week late.")},
        guest_count=80),
)

# The trip under way (started yesterday, ends in two days): the periodic task started it.
CURRENT_TRIP = PastTrip(
    "Tokyo in bloom, right now", "traveler", "expert", "Tokyo", "travel", 1, 3, 2, ("2500", "4000"),
    ("culture", "food"),
    (Stop(0, "15:00", "stay", "Hotel Gracery Shinjuku", booked=True, quantity=1),
     Stop(0, "16:30", "activity", "Tokyo Metropolitan Government Building observation decks"),
     Stop(0, "18:30", "meal", "Tempura Shinjuku Tsunahachi (main store)"),
     Stop(1, "09:00", "activity", "Sensō-ji (Asakusa Kannon)"),
     Stop(1, "11:00", "activity", DEMO_VENDOR_PLACE, booked=True),
     Stop(1, "12:30", "meal", "Kanda Yabu Soba", booked=True),
     Stop(1, "14:30", "activity", "Ueno Park"),
     Stop(1, "19:00", "meal", "Ain Soph. Journey (Shinjuku)"),
     Stop(2, "10:00", "activity", "teamLab Planets TOKYO", booked=True),
     Stop(2, "13:00", "meal", "T's Tantan (Tokyo Station)"),
     Stop(2, "14:30", "activity", "Hama-rikyu Gardens"),
     Stop(2, "18:30", "meal", "Tonkatsu Maisen Aoyama Honten"),
     Stop(3, "09:00", "activity", "Meiji Jingu")),
    (0, ""), {})
