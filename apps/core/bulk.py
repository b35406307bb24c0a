"""Rows derived from other data (metrics, learned profiles), written in bulk by the app
that owns the model, on behalf of the app that computes them."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction


def replace_rows(model: type[models.Model], *, key: str, values: dict[int, dict], ids: Iterable[int],
                 keep: Iterable[str] = ()) -> int:
    """Make the rows of ``model`` keyed by its one-to-one primary key ``key`` (``"expert"``)
    match ``values`` (id → field values) for the ``ids`` recomputed: insert or update one
    row per entry, delete the rows of the other ``ids``. Fields in ``keep`` (and
    ``updated_at``) are never overwritten. One transaction; returns the rows written."""
    fields = [f.name for f in model._meta.concrete_fields
              if not f.primary_key and f.name not in ("updated_at", *keep)]
    rows = [model(**{f"{key}_id": pk}, **row) for pk, row in values.items()]
    with transaction.atomic():
        if rows:
            model.objects.bulk_create(rows, update_conflicts=True, unique_fields=[key], update_fields=fields,
                                      batch_size=500)
        model.objects.filter(**{f"{key}__in": set(ids) - set(values)}).delete()
    return len(rows)
