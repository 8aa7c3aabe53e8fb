/* callscope Data page: the progress of an upload loading in the background (polls its
   status: rows read, loaded, rejected so far), then the page with its result. */
(function () {
  "use strict";
  var box = document.getElementById("upload-progress");
  if (!box || !box.getAttribute("data-poll")) return;
  var id = box.getAttribute("data-job");
  var step = box.querySelector(".up-step");
  var fmt = function (n) { return (n || 0).toLocaleString("en-US"); };
  var show = function (counts) {
    if (!counts) return;
    ["rows_read", "rows_loaded", "rows_rejected"].forEach(function (k) {
      var el = box.querySelector('[data-count="' + k + '"]');
      if (el) el.textContent = fmt(counts[k]);
    });
  };
  window.callscopePoll("/api/v1/ingest/jobs/" + encodeURIComponent(id), 500, function (j) {
    show(j.counts);
    if (j.state === "running") {
      step.textContent = j.step + "… (" + Math.round(j.seconds) + " s)";
    } else {
      /* done or failed: the page again, with the files loaded and the result */
      window.location.assign("/data?job=" + encodeURIComponent(id));
    }
  }, function (j) {
    step.textContent = "failed: " + (j.error || "the server did not answer");
    box.className = "upload-progress failed";
  });
})();
