/* Deadlines count down; fragments replaced by live.js are picked up as they arrive. */
(function () {
  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var s = Math.max(0, Math.round((Date.parse(el.getAttribute("datetime")) - Date.now()) / 1000));
      var text = Math.floor(s / 3600) + "h " + String(Math.floor(s % 3600 / 60)).padStart(2, "0") + "m";
      if (el.textContent !== text) { el.textContent = text; }
    });
  }
  tick(); setInterval(tick, 30000);
  new MutationObserver(tick).observe(document.body, { childList: true, subtree: true });
})();
