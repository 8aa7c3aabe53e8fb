/* callscope Workforce page: the forecast and plan charts (uPlot, vendored) and the
   progress line of a forecast or plan run from the page (polls its status). */
(function () {
  "use strict";

  // -- progress of a running job ------------------------------------------------------
  var line = document.getElementById("wf-progress");
  if (line && line.getAttribute("data-poll")) {
    var id = line.getAttribute("data-job");
    var step = line.querySelector(".wf-step");
    // a job already done when the page came opens its result too
    window.callscopePoll("/api/v1/workforce/jobs/" + encodeURIComponent(id), 700, function (j) {
      line.className = "wf-progress " + j.state;
      if (j.state === "running") {
        step.textContent = j.step + "… (" + Math.round(j.seconds) + " s)";
      } else if (j.state === "done") {
        step.textContent = "done: " + j.message + " (" + j.seconds.toFixed(1) + " s)";
        if (j.url) setTimeout(function () { window.location.assign(j.url); }, 900);
      } else {
        step.textContent = "failed: " + j.error;
      }
    }, function (j) {
      step.textContent = "failed: " + (j.error || "the server did not answer");
      line.className = "wf-progress failed";
    });
  }

  // -- charts -------------------------------------------------------------------------
  var holder = document.getElementById("wf-series");
  if (!holder || typeof uPlot === "undefined") return;
  var series = JSON.parse(holder.textContent);
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); };
  var one = function (v) { return v == null ? "-" : v.toLocaleString("en-US", { maximumFractionDigits: 1 }); };
  var int = function (v) { return v == null ? "-" : Math.round(v).toLocaleString("en-US"); };
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function xValues(u, splits) {
    return splits.map(function (ts) {
      var d = new Date(ts * 1e3);
      if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0) {
        return DAYS[d.getUTCDay()] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
      }
      return ("0" + d.getUTCHours()).slice(-2) + ":" + ("0" + d.getUTCMinutes()).slice(-2);
    });
  }
  function axes(fmt) {
    return [
      { stroke: "#5d6675", grid: { stroke: "#eceff3" }, values: xValues, space: 70 },
      { stroke: "#5d6675", grid: { stroke: "#eceff3" }, size: 56,
        values: function (u, vals) { return vals.map(fmt); } }
    ];
  }
  var zero = function (u, lo, hi) { return [0, Math.max(1, hi) * 1.08]; };

  function build(kind, d, el) {
    var base = { width: Math.max(300, el.clientWidth), height: 260, tzDate: utc,
                 cursor: { drag: { x: false, y: false } }, scales: { x: { time: true }, y: { range: zero } } };
    if (kind === "forecast") {
      return new uPlot(Object.assign(base, {
        series: [{},
          { label: "Low", stroke: "rgba(31,95,191,0.35)", width: 1, value: function (u, v) { return one(v); } },
          { label: "High", stroke: "rgba(31,95,191,0.35)", width: 1, value: function (u, v) { return one(v); } },
          { label: "Forecast contacts", stroke: "#1f5fbf", width: 2, value: function (u, v) { return one(v); } }],
        bands: [{ series: [2, 1], fill: "rgba(31,95,191,0.16)" }],
        axes: axes(int)
      }), [d.x, d.calls_lo, d.calls_hi, d.calls], el);
    }
    var stepped = uPlot.paths.stepped({ align: 1 });
    return new uPlot(Object.assign(base, {
      series: [{},
        { label: "Required agents", stroke: "#b3261e", width: 2, paths: stepped, value: function (u, v) { return int(v); } },
        { label: "Scheduled (with shrinkage)", stroke: "#1e7b34", fill: "rgba(30,123,52,0.12)", width: 2, paths: stepped, value: function (u, v) { return int(v); } }],
      axes: axes(int)
    }), [d.x, d.agents, d.scheduled_agents], el);
  }

  document.querySelectorAll(".wf-chart[data-wf]").forEach(function (el) {
    var kind = el.getAttribute("data-wf");
    if (series[kind]) build(kind, series[kind], el);
  });
})();
