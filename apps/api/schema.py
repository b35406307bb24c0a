"""OpenAPI post-processing (drf-spectacular ``POSTPROCESSING_HOOKS``): every operation
documents the error answers it can give, in the one error shape of ``errors.py``."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Stable machine-readable code, e.g. booking.sold_out"},
        "detail": {"type": "string", "description": "A sentence for people"},
        "fields": {"type": "object", "additionalProperties": {},
                   "description": "Input field (dotted path) → what is wrong with it"},
        "request_id": {"type": "string", "description": "500 only: quote it to support"},
    },
    "required": ["code", "detail", "fields"],
}
ERRORS = {
    "400": "Invalid input (see fields) or a refused business rule",
    "401": "Bad or missing credentials (token)",
    "403": "Not allowed: the caller sees the object but may not act on it",
    "404": "Unknown, or out of the caller's scope",
    "405": "Method not allowed",
    "409": "The current state does not allow it (e.g. state.version_conflict)",
    "413": "Body too large",
    "415": "Unsupported media type",
    "429": "Rate limited or login locked: see Retry-After",
}


def document_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(status, {"description": description})
                responses[status].setdefault("content", error)
    return result
