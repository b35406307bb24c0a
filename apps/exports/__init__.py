"""Outputs of a curated plan: PDF, iCalendar, confirmation package, budget, share links.

``document.build_document`` turns one itinerary version into the read model every output
renders; the other modules render it (``pdf``, ``ics``, ``package``), price it
(``budget``), queue it (``jobs``) or hand it out by token (``share``).
"""
