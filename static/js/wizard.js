/* The request wizard (templates/traveler/request_create.html): one step at a time, with the
 * server's validation (POST data-validate-url → {"errors": {field: message}}) shown next to
 * each field as soon as it is left and before moving on. Without JS every step shows. */
(function () {
  "use strict";
  var form = document.getElementById("request-wizard");
  if (!form) { return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var markers = Array.prototype.slice.call(form.querySelectorAll("[data-step-marker]"));
  var current = 0;
  var touched = {};
  // A page re-rendered with errors opens at the first step that has one.
  steps.some(function (s, i) { if (s.querySelector(".has-error")) { current = i; return true; } return false; });

  function names(step) {
    var seen = {};
    Array.prototype.forEach.call(step.querySelectorAll("[name]"), function (el) { seen[el.name] = true; });
    return Object.keys(seen);
  }

  function show(i, focus) {
    current = i;
    steps.forEach(function (s, n) { s.hidden = n !== i; });
    markers.forEach(function (m, n) {
      m.classList.toggle("done", n < i); m.classList.toggle("active", n === i);
    });
    var first = steps[i].querySelector("input, select, textarea");
    if (focus && first) { first.focus(); }
  }

  function fieldBox(name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input ? input.closest(".field") : null;
  }

  function render(errors, only) {
    only.forEach(function (name) {
      var box = fieldBox(name);
      if (!box) { return; }
      var old = box.querySelector(".error[data-live]");
      if (old) { old.remove(); }
      Array.prototype.forEach.call(box.querySelectorAll(".error:not([data-live])"), function (e) { e.remove(); });
      box.classList.toggle("has-error", !!errors[name]);
      var input = box.querySelector("input, select, textarea");
      if (errors[name]) {
        var msg = document.createElement("small");
        msg.className = "error"; msg.setAttribute("data-live", ""); msg.setAttribute("role", "alert");
        msg.id = "err-" + name; msg.textContent = errors[name];
        box.appendChild(msg);
        if (input) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", msg.id); }
      } else if (input) { input.removeAttribute("aria-invalid"); }
    });
  }

  function validate(only) {
    var body = new FormData(form);
    only.forEach(function (n) { body.append("_check", n); });
    return fetch(form.getAttribute("data-validate-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      render(data.errors || {}, only);
      return only.filter(function (n) { return data.errors && data.errors[n]; });
    });
  }

  // What only a wedding or an event asks (guests, ceremony, style…) is hidden for a trip.
  function typeChanged() {
    var type = form.querySelector('[name="experience_type"]');
    (form.getAttribute("data-event-fields") || "").split(" ").forEach(function (name) {
      var box = fieldBox(name);
      if (type && box) { box.hidden = type.value === "travel"; }
    });
  }

  form.addEventListener("focusout", function (e) {
    if (!e.target.name) { return; }
    touched[e.target.name] = true;
    var fields = Object.keys(touched).filter(function (n) { return names(steps[current]).indexOf(n) >= 0; });
    if (fields.length) { validate(fields); }
  });
  form.addEventListener("change", function (e) { if (e.target.name === "experience_type") { typeChanged(); } });
  form.addEventListener("click", function (e) {
    if (e.target.hasAttribute("data-step-back")) { show(current - 1, true); }
    if (e.target.hasAttribute("data-step-next")) {
      var fields = names(steps[current]);
      fields.forEach(function (n) { touched[n] = true; });
      validate(fields).then(function (bad) { if (!bad.length) { show(current + 1, true); } });
    }
  });
  Array.prototype.forEach.call(form.querySelectorAll("[data-step-next]"), function (b) { b.hidden = false; });
  form.classList.add("js-steps");
  typeChanged();
  show(current);
})();
