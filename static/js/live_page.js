/* Live page (itinerary and share page): mark past / now / next items from the clock, and
   reload when the plan changed (the state version moved). Polls JSON, so it works without a
   WebSocket login. Reads its settings from <body data-poll-url data-state-version data-poll-seconds>. */
(function () {
  var root = document.querySelector("[data-poll-url]");
  if (!root) return;
  var pollUrl = root.dataset.pollUrl, version = Number(root.dataset.stateVersion),
      every = Number(root.dataset.pollSeconds || 30) * 1000;
  function mark() {
    var now = Date.now(), nextDone = false;
    document.querySelectorAll(".timeline > li[data-start]").forEach(function (li) {
      var start = Date.parse(li.dataset.start), end = Date.parse(li.dataset.end);
      li.classList.toggle("past", end < now);
      li.classList.toggle("now", start <= now && now <= end);
      var isNext = !nextDone && start > now;
      li.classList.toggle("next", isNext);
      if (isNext) nextDone = true;
    });
  }
  function poll() {
    fetch(pollUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (r.status === 404) { document.body.classList.add("link-gone"); throw r; } return r.json(); })
      .then(function (data) { if (data.state_version !== version) { window.location.reload(); } else { mark(); } })
      .catch(function () {});
  }
  mark();
  setInterval(poll, every);
})();
