/* Export progress: poll each running job until its file is ready. */
document.querySelectorAll("[data-export-status]").forEach(function (row) {
  if (["queued", "running"].indexOf(row.dataset.status) < 0) return;
  var bar = row.querySelector("progress"), state = row.querySelector(".state");
  var timer = setInterval(function () {
    fetch(row.dataset.exportStatus, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (job) {
      bar.value = job.progress; state.textContent = job.status + " · " + job.progress + "%";
      if (job.status === "done" || job.status === "failed") {
        clearInterval(timer); bar.hidden = true;
        row.querySelector(".download").hidden = !job.ready;
        if (job.status === "failed") state.textContent = job.error;
      }
    });
  }, 1500);
});
