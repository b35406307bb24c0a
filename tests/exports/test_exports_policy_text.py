"""Cancellation terms read as a sentence a traveler understands: refunds while they last,
then "no refund later" (never "0 % refund up to 0 h before")."""
import pytest

from apps.exports.support import cancellation_policy_text


@pytest.mark.parametrize("tiers, text", [
    ([{"hours": 48, "refund_pct": 100}, {"hours": 0, "refund_pct": 0}],
     "Free cancellation up to 48 h before the start; no refund later."),
    ([{"hours": 72, "refund_pct": 100}, {"hours": 24, "refund_pct": 50}, {"hours": 0, "refund_pct": 0}],
     "Free cancellation up to 72 h before the start; 50 % refund up to 24 h before; no refund later."),
    ([{"hours": 0, "refund_pct": 100}], "Free cancellation until the start."),
    ([{"hours": 24, "refund_pct": 0}], "No refund once booked."),
    ([], "No cancellation terms published: ask the vendor before changing this booking."),
])
def test_cancellation_terms_read_as_a_sentence(tiers, text):
    assert cancellation_policy_text(tiers) == text
