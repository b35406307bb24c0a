"""Money as Decimal + ISO 4217 code; never float."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def quantize(amount) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def as_dict(self) -> dict:
        return {"amount": f"{quantize(self.amount)}", "currency": self.currency}

    def __str__(self) -> str:
        return f"{quantize(self.amount):,} {self.currency}"
