"""The JSON of an import: its preview (REST, the portal panel)."""
from __future__ import annotations

from .models import ConfirmationImport


def import_json(imported: ConfirmationImport) -> dict:
    return {"id": imported.pk, "request": imported.request_id, "file_name": imported.file_name,
            "source": imported.source, "status": imported.status, "items": imported.items,
            "unreadable": imported.unreadable, "created_at": imported.created_at.isoformat()}
