from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key`` header.

    Created in the same transaction as the effect it guards, so a retry either finds the
    stored answer or (the first attempt having failed) starts afresh. ``fingerprint`` is a
    hash of method, path and body: the same key with another body is refused.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
