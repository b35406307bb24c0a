/* Traveloure live updates — vanilla JS, no build step.
 *
 * A page opts in with data attributes; include the script once:
 *   <script src="{% static 'js/live.js' %}" defer></script>
 *
 *   data-live-socket="/ws/requests/12/"   open this feed (one socket per distinct URL; use
 *                                         "/ws/me/" for the user's own feed)
 *   data-live-phase                       text becomes the request's phase, class phase-<phase>
 *                                         (value = state id to follow one request on /ws/me/)
 *   data-live-booking="<booking id>"      gets data-status and class status-<status>; a child
 *                                         [data-live-text] gets the status text
 *   data-live-unread="<thread id>"        text becomes the thread's unread count
 *   data-live-refresh="<url>"             re-fetched (GET, HTML fragment) on each snapshot and
 *                                         after each event (with data-live-load also at once, for a
 *                                         part that starts as a placeholder), its innerHTML
 *                                         replaced; data-live-events="message.posted
 *                                         booking.*" limits which events (space separated,
 *                                         trailing * matches a prefix); while the person
 *                                         is filling in a form inside it (typed, not sent),
 *                                         it waits: nothing typed is replaced
 *   <form data-live-form>                 inside a refresh container: submitted with fetch,
 *                                         the response HTML replaces the container
 *
 * Protocol (apps/coordination/consumers.py): the server sends a snapshot first
 * ({type: "snapshot", state, version, complete, ...}), then events ({type: "event",
 * state, version, event, phase, data}). Delivery is at least once: events whose version
 * is not above the last applied one of their state are dropped. On a complete stream a
 * version gap means a lost message: the client asks {type: "resync"} for a new snapshot.
 * The socket reconnects with exponential backoff (1 s … 30 s); a request feed adds
 * ?since=<last applied version>, and the server then replays the missed events followed by
 * {type: "caught_up", state, version} (or sends a snapshot when too much was missed).
 * Close codes 4401/4403/4404 (not allowed, also sent when access is lost while connected)
 * stop it. Rules mirrored in Python by tests/live/support.py:LiveClient — keep both in step.
 *
 * Other scripts can listen: document "live:snapshot", "live:event" and "live:caught_up"
 * (detail = message).
 */
(function () {
  "use strict";

  var REFUSED = { 4401: true, 4403: true, 4404: true };

  function LiveFeed(path) {
    this.path = path;
    this.versions = {};
    this.complete = false;
    this.delay = 1000;
    this.stopped = false;
    this.connect();
  }

  LiveFeed.prototype.url = function () {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + this.path;
    var known = Object.keys(this.versions);
    if (this.path.indexOf("/ws/requests/") === 0 && known.length === 1) {
      url += (url.indexOf("?") < 0 ? "?" : "&") + "since=" + this.versions[known[0]];
    }
    return url;
  };

  LiveFeed.prototype.connect = function () {
    var feed = this;
    var socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = function () { feed.delay = 1000; };
    socket.onmessage = function (e) { feed.receive(JSON.parse(e.data)); };
    socket.onclose = function (e) {
      if (REFUSED[e.code] || feed.stopped) { return; }
      var wait = feed.delay * (0.5 + Math.random());
      feed.delay = Math.min(feed.delay * 2, 30000);
      window.setTimeout(function () { feed.connect(); }, wait);
    };
  };

  LiveFeed.prototype.receive = function (message) {
    if (message.type === "snapshot") {
      this.versions = {};
      this.complete = !!message.complete;
      if (message.state !== undefined) { this.versions[message.state] = message.version; }
      (message.requests || []).forEach(function (r) { this.versions[r.state] = r.version; }, this);
      applySnapshot(message);
      // A (re)connect may follow missed changes: reload every fragment once.
      each("[data-live-refresh]", refresh);
      dispatch("live:snapshot", message);
      return;
    }
    if (message.type === "caught_up") {  // replayed events (each refreshed what it touched)
      dispatch("live:caught_up", message);
      return;
    }
    var last = this.versions[message.state] || 0;
    if (message.version <= last) { return; }  // duplicate (at-least-once delivery)
    if (this.complete && message.version !== last + 1 && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify({ type: "resync" }));
    }
    this.versions[message.state] = message.version;
    applyEvent(message);
    dispatch("live:event", message);
  };

  function dispatch(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function swapClass(el, prefix, value) {
    Array.prototype.slice.call(el.classList).forEach(function (c) {
      if (c.indexOf(prefix) === 0) { el.classList.remove(c); }
    });
    el.classList.add(prefix + value);
  }

  // The page's words for the codes the events carry (the live_labels template tag).
  var LABELS = (function () {
    var el = document.getElementById("live-labels");
    return el ? JSON.parse(el.textContent) : {};
  })();

  function label(kind, code) {
    return (LABELS[kind] || {})[code] || code.replace(/_/g, " ");
  }

  function setPhase(state, phase) {
    each("[data-live-phase]", function (el) {
      var wanted = el.getAttribute("data-live-phase");
      if (wanted && String(wanted) !== String(state)) { return; }
      el.textContent = label("phase", phase);
      swapClass(el, "phase-", phase);
    });
  }

  function setBooking(booking) {
    each('[data-live-booking="' + booking.id + '"]', function (el) {
      el.setAttribute("data-status", booking.status);
      swapClass(el, "status-", booking.status);
      var text = el.querySelector("[data-live-text]");
      if (text) { text.textContent = label("booking", booking.status); }
    });
  }

  function setUnread(threadId, count) {
    each('[data-live-unread="' + threadId + '"]', function (el) {
      el.textContent = count;
      el.hidden = !count;
    });
  }

  function applySnapshot(snapshot) {
    if (snapshot.phase) { setPhase(snapshot.state, snapshot.phase); }
    (snapshot.requests || []).forEach(function (r) { setPhase(r.state, r.phase); });
    (snapshot.bookings || []).forEach(setBooking);
    (snapshot.threads || []).forEach(function (t) { setUnread(t.id, t.unread); });
  }

  function matches(el, eventType) {
    var filter = el.getAttribute("data-live-events");
    if (!filter) { return true; }
    return filter.split(/\s+/).some(function (f) {
      return f.slice(-1) === "*" ? eventType.indexOf(f.slice(0, -1)) === 0 : f === eventType;
    });
  }

  var pending = new Map();

  function refresh(el) {
    // Several events in a row → one fetch.
    if (pending.has(el)) { return; }
    pending.set(el, window.setTimeout(function () {
      pending.delete(el);
      if (el.hasAttribute("data-live-typing")) { return; }
      fetch(el.getAttribute("data-live-refresh"), { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { el.innerHTML = html; })
        .catch(function () { /* the next event or reconnect snapshot tries again */ });
    }, 150));
  }

  function applyEvent(message) {
    var data = message.data || {};
    if (message.phase) { setPhase(message.state, message.phase); }
    if (data.booking && data.booking.id !== undefined) { setBooking(data.booking); }
    each("[data-live-refresh]", function (el) { if (matches(el, message.event)) { refresh(el); } });
  }

  // What a person types in a live part is theirs until sent: the part is not refreshed
  // while a field in it holds unsent input (sending reloads the page or the part).
  document.addEventListener("input", function (e) {
    var box = e.target.closest && e.target.closest("[data-live-refresh]");
    if (box) { box.setAttribute("data-live-typing", ""); }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var box = form.closest && form.closest("[data-live-refresh]");
    if (box) { box.removeAttribute("data-live-typing"); }
    if (!form.hasAttribute || !form.hasAttribute("data-live-form")) { return; }
    var container = box;
    e.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "HX-Request": "true" } })
      .then(function (r) { return r.text(); })
      .then(function (html) { if (container) { container.innerHTML = html; } });
  });

  function start() {
    // A part that is only a placeholder loads now, whether or not the socket ever opens
    // (a proxy that refuses WebSockets left "Loading…" for good).
    each("[data-live-load]", refresh);
    var paths = {};
    each("[data-live-socket]", function (el) { paths[el.getAttribute("data-live-socket")] = true; });
    window.TraveloureLive = Object.keys(paths).map(function (p) { return new LiveFeed(p); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
