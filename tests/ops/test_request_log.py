"""One log line per request with its id, user and timing; the id travels into the
response, the events the request causes and the tasks it queues."""
import json
import logging

import pytest
from django_q.signals import pre_enqueue
from django_q.tasks import async_task, result

from apps.coordination.models import Event
from apps.core.requestlog import JsonFormatter, RequestIdFilter, RequestLogMiddleware
from tests.factories import make_request

pytestmark = pytest.mark.django_db


def test_one_line_per_request_with_id_user_and_timing(client, traveler, caplog):
    client.force_login(traveler)
    with caplog.at_level(logging.INFO, logger="traveloure.request"):
        response = client.get("/traveler/")
    lines = [r for r in caplog.records if r.name == "traveloure.request"]
    assert len(lines) == 1
    line = lines[0]
    assert len(response["X-Request-ID"]) == 32
    assert (line.method, line.path, line.status, line.user_id) == ("GET", "/traveler/", response.status_code,
                                                                     traveler.pk)
    assert line.duration_ms >= 0
    assert line.getMessage().startswith(f"GET /traveler/ {response.status_code} ")
    assert line.getMessage().endswith(f"user={traveler.pk}")


def test_a_sane_proxy_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc123def456")["X-Request-ID"] == "abc123def456"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


@pytest.mark.django_db(transaction=True)  # real commits: after-commit work runs inside the request
def test_the_request_id_reaches_the_events_and_tasks_it_causes(api_client, traveler):
    state = make_request(traveler)
    queued = []

    def remember(sender, task, **kwargs):
        queued.append((task["func"], task.get("request_id")))

    pre_enqueue.connect(remember)
    try:
        api_client.force_authenticate(traveler)
        response = api_client.post(f"/api/v1/requests/{state.request_id}/messages/", {"body": "Hello"},
                                   format="json", HTTP_X_REQUEST_ID="req-from-proxy-1")
    finally:
        pre_enqueue.disconnect(remember)
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "req-from-proxy-1"
    event = Event.objects.filter(state=state).latest("version")
    assert (event.type, event.request_id) == ("message.posted", "req-from-proxy-1")
    assert queued and all(request_id == "req-from-proxy-1" for _func, request_id in queued)


def test_a_task_runs_under_the_id_of_the_request_that_queued_it(rf):
    def view(request):
        task_id = async_task("apps.core.requestlog.current_request_id", sync=True)
        from django.http import HttpResponse

        return HttpResponse(task_id)

    response = RequestLogMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="task-origin-42"))
    assert result(response.content.decode()) == "task-origin-42"


def test_json_log_format_carries_the_request_id_and_extras():
    record = logging.LogRecord("traveloure.request", logging.INFO, __file__, 1, "GET / 200", None, None)
    record.status = 200
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET / 200" and line["status"] == 200 and line["request_id"] == "-"
    assert line["level"] == "INFO" and line["logger"] == "traveloure.request"
