"""The one error type business rules raise; views turn it into a message or a 4xx."""


class DomainError(Exception):
    """A business rule refused a command. Nothing was written.

    ``code`` is a stable machine-readable string (``booking.sold_out``); ``status`` the
    HTTP status an interface should answer with; ``fields`` maps input fields to messages.
    """

    status = 400

    def __init__(self, message: str, code: str = "invalid", *, fields: dict | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        if status is not None:
            self.status = status


class Conflict(DomainError):
    """The command is well formed but the current state does not allow it (409)."""

    status = 409


class NotFound(DomainError):
    """The object does not exist or is out of the caller's scope (404)."""

    status = 404


class Forbidden(DomainError):
    """The caller sees the object but may not act on it (403)."""

    status = 403
