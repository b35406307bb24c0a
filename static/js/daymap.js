/* Each day's map on a slippy map (Leaflet, vendored): numbered stops and the route.
 *
 * Reads only data attributes (no inline script, for the CSP):
 *   <figure class="map" data-tiles="https://…/{z}/{x}/{y}.png" data-attribution="…">  the drawn SVG map
 *   <li data-stop="3" data-lat="35.68" data-lon="139.76" data-title="…">  the day's stops, in order
 *   <figure … data-route="[[35.68, 139.76], …]">  the street path (OSRM), when known; else straight lines
 * The drawn SVG stays on screen until a first tile has loaded; if none loads (no tile server
 * reachable: tests, offline demo) the slippy map is dropped and the SVG remains.
 * Days refreshed live (live.js replaces their HTML) are mounted again.
 */
(function () {
  "use strict";
  var GIVE_UP_MS = 8000;

  function stopsOf(figure) {
    var card = figure.closest(".day-card") || document;
    return Array.prototype.map.call(card.querySelectorAll("li[data-stop]"), function (li) {
      return { n: li.getAttribute("data-stop"), title: li.getAttribute("data-title") || "",
               at: [parseFloat(li.getAttribute("data-lat")), parseFloat(li.getAttribute("data-lon"))] };
    });
  }

  function streetsOf(figure) {
    try {
      var path = JSON.parse(figure.getAttribute("data-route") || "null");
      return Array.isArray(path) && path.length > 1 ? path : null;
    } catch (e) {
      return null;
    }
  }

  function mount(figure) {
    var url = figure.getAttribute("data-tiles");
    if (!window.L || !url || figure.getAttribute("data-slippy")) { return; }
    var stops = stopsOf(figure);
    if (!stops.length) { return; }
    figure.setAttribute("data-slippy", "loading");
    var box = document.createElement("div");
    box.className = "slippy";
    figure.insertBefore(box, figure.firstChild);
    var map = L.map(box, { scrollWheelZoom: false, attributionControl: true });
    var tiles = L.tileLayer(url, { attribution: figure.getAttribute("data-attribution") || "", maxZoom: 19 });
    var settled = false;

    function giveUp() {
      if (settled) { return; }
      settled = true;
      map.remove();
      box.remove();
      figure.setAttribute("data-slippy", "unavailable");
    }

    tiles.on("tileload", function () {
      if (settled) { return; }
      settled = true;
      figure.setAttribute("data-slippy", "shown");
      map.invalidateSize();
    });
    tiles.on("tileerror", giveUp);
    window.setTimeout(giveUp, GIVE_UP_MS);
    tiles.addTo(map);
    var route = stops.map(function (s) { return s.at; });
    var streets = streetsOf(figure);
    L.polyline(streets || route, streets ? { color: "#0f6d6a", weight: 4 }
                                         : { color: "#0f6d6a", weight: 3, dashArray: "7 5" }).addTo(map);
    stops.forEach(function (s) {
      L.marker(s.at, { title: s.title, alt: s.n + ". " + s.title,
                       icon: L.divIcon({ className: "stop-pin", html: "<span>" + s.n + "</span>", iconSize: [24, 24] }) })
        .addTo(map);
    });
    map.fitBounds(L.latLngBounds(route).pad(0.15), { maxZoom: 16 });
  }

  function mountAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("figure.map[data-tiles]"), mount);
  }

  document.addEventListener("DOMContentLoaded", function () {
    mountAll(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        Array.prototype.forEach.call(change.addedNodes, function (node) {
          if (node.nodeType === 1) { mountAll(node.parentNode || node); }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
