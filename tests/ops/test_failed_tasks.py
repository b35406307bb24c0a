"""Failed django-q2 tasks are visible to staff in the admin, with the error."""
import pytest
from django.utils import timezone
from django_q.models import Task

pytestmark = pytest.mark.django_db


def test_failed_tasks_are_listed_in_the_admin(admin_client):
    Task.objects.create(id="f" * 32, name="confirm-7", func="apps.coordination.booking_tasks.confirm_instant_booking",
                        args=(7,), started=timezone.now(), stopped=timezone.now(), success=False,
                        result="OperationalError: connection lost", attempt_count=3)
    response = admin_client.get("/admin/django_q/failure/")
    assert response.status_code == 200
    assert b"confirm_instant_booking" in response.content or b"confirm-7" in response.content
    detail = admin_client.get(f"/admin/django_q/failure/{'f' * 32}/change/")
    assert b"connection lost" in detail.content
