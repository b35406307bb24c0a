"""Pure-Python itinerary planning cores (no Django imports)."""
