"""Template context every page may need."""
from django.conf import settings


def map_tiles(request) -> dict:
    """``map_tiles``: the slippy map's tile URL template and attribution (``settings.MAP_TILES``)."""
    return {"map_tiles": settings.MAP_TILES}
