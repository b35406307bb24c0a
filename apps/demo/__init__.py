"""Demo data for Traveloure: real places of Tokyo, Lisbon and Tuscany, experts, vendors
with bookable slots, a few past trips and one open request. Entry point:
:func:`apps.demo.loader.seed_demo` (``python manage.py seed_demo``)."""
