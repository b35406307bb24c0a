"""The shared HTTP machinery: retries with backoff, last good answer, circuit breaker."""
import httpx
import pytest

from apps.integrations.base import ProviderRejected, ProviderUnavailable, collect_missing

URL = "https://api.example.test"


def ok(response):
    return response.json()["value"]


@pytest.fixture
def client(make_client):
    return make_client("demo", URL, retries=2, backoff=0.5, breaker_failures=3, breaker_cooldown=60, fresh_ttl=300)


def test_retries_timeouts_and_5xx_with_exponential_backoff(client, clock, respx_mock):
    route = respx_mock.get(f"{URL}/v").mock(side_effect=[
        httpx.ConnectTimeout("slow"), httpx.Response(503), httpx.Response(200, json={"value": 7})])
    assert client.call("GET", "/v", parse=ok) == 7
    assert route.call_count == 3
    assert clock.sleeps == [0.5, 1.0]


def test_gives_up_after_the_retries(client, clock, respx_mock):
    route = respx_mock.get(f"{URL}/v").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(ProviderUnavailable) as exc:
        client.call("GET", "/v", parse=ok)
    assert route.call_count == 3 and exc.value.reason == "connection error (ConnectError)"


def test_client_errors_are_not_retried_and_do_not_open_the_breaker(client, respx_mock):
    route = respx_mock.get(f"{URL}/v").mock(return_value=httpx.Response(404, json={"error": "NOT_FOUND"}))
    for _ in range(5):
        with pytest.raises(ProviderRejected) as exc:
            client.call("GET", "/v", parse=ok)
    assert exc.value.status == 404 and '"NOT_FOUND"' in exc.value.body
    assert route.call_count == 5 and client.breaker.state == "closed"


def test_malformed_body_is_unavailable_without_retry(client, respx_mock):
    route = respx_mock.get(f"{URL}/v").mock(return_value=httpx.Response(200, text="<html>oops</html>"))
    with pytest.raises(ProviderUnavailable) as exc:
        client.call("GET", "/v", parse=ok)
    assert route.call_count == 1 and exc.value.reason.startswith("malformed response")


def test_fresh_answers_come_from_the_cache(client, clock, respx_mock):
    route = respx_mock.get(f"{URL}/v").mock(return_value=httpx.Response(200, json={"value": 1}))
    assert client.fetch("GET", "/v", parse=ok, what="Demo").value == 1
    clock.now += 299
    assert client.fetch("GET", "/v", parse=ok, what="Demo").value == 1
    assert route.call_count == 1
    clock.now += 2
    route.mock(return_value=httpx.Response(200, json={"value": 2}))
    assert client.fetch("GET", "/v", parse=ok, what="Demo").value == 2
    assert route.call_count == 2


def test_failure_serves_the_last_good_answer_and_notes_it(client, clock, respx_mock):
    route = respx_mock.get(f"{URL}/v").mock(return_value=httpx.Response(200, json={"value": 1}))
    client.fetch("GET", "/v", parse=ok, what="Demo data")
    clock.now += 3600
    route.mock(return_value=httpx.Response(500))
    with collect_missing() as missing:
        fetched = client.fetch("GET", "/v", parse=ok, what="Demo data")
    assert (fetched.value, fetched.stale) == (1, True)
    assert missing.notes() == ["Demo data: used the last answer received 60 minutes earlier (demo: HTTP 500)"]


def test_no_last_good_answer_raises(client, respx_mock):
    respx_mock.get(f"{URL}/v").mock(return_value=httpx.Response(502))
    with pytest.raises(ProviderUnavailable):
        client.fetch("GET", "/v", parse=ok, what="Demo")


def test_breaker_opens_after_n_failures_then_half_opens_and_closes(client, clock, respx_mock, make_client):
    route = respx_mock.get(f"{URL}/v").mock(side_effect=httpx.ReadTimeout("slow"))
    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            client.call("GET", "/v", parse=ok)
    assert route.call_count == 9 and client.breaker.state == "open"
    other_process = make_client("demo", URL, breaker_failures=3, breaker_cooldown=60)
    with pytest.raises(ProviderUnavailable) as exc:
        other_process.call("GET", "/v", parse=ok)
    assert exc.value.reason == "circuit open" and route.call_count == 9  # state is shared through the cache

    clock.now += 61
    assert client.breaker.state == "half-open"
    route.mock(side_effect=None, return_value=httpx.Response(200, json={"value": 5}))
    assert other_process.call("GET", "/v", parse=ok) == 5
    assert client.breaker.state == "closed" and route.call_count == 10


def test_half_open_lets_one_trial_through_and_a_failed_trial_reopens(client, clock, respx_mock):
    route = respx_mock.get(f"{URL}/v").mock(return_value=httpx.Response(500))
    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            client.call("GET", "/v", parse=ok)
    clock.now += 60
    assert client.breaker.allow() is True
    assert client.breaker.allow() is False  # a second caller during the trial is refused
    client.breaker.record_failure()
    assert client.breaker.state == "open"
    clock.now += 59
    with pytest.raises(ProviderUnavailable, match="circuit open"):
        client.call("GET", "/v", parse=ok)
    assert route.call_count == 9


def test_a_success_resets_the_failure_count(client, respx_mock):
    route = respx_mock.get(f"{URL}/v")
    for outcome in [500, 500, 200, 500, 500]:
        route.mock(return_value=httpx.Response(outcome, json={"value": 1}))
        try:
            client.call("GET", "/v", parse=ok)
        except ProviderUnavailable:
            pass
    assert client.breaker.state == "closed"
