/* callscope pages: sortable tables and the Service charts (uPlot, vendored). */
(function () {
  "use strict";

  // -- sortable tables: click a heading; numbers sort by data-v, text by its words --
  function cellKey(td, numeric) {
    if (!td) return numeric ? -Infinity : "";
    var v = td.getAttribute("data-v");
    if (numeric) {
      var f = parseFloat(v);
      return isNaN(f) ? -Infinity : f;
    }
    return (v !== null ? v : td.textContent).trim().toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, i) {
      th.setAttribute("tabindex", "0");
      function sort() {
        var numeric = th.getAttribute("data-type") !== "text";
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellKey(a.cells[i], numeric), y = cellKey(b.cells[i], numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  });

  // -- a job running in the background (Data uploads, Workforce runs) ---------------
  // Asks `url` for the job's status every `every` ms while it runs: `onState(job)` with
  // each answer, `onRefused(body)` when the server refuses (not 2xx); a network error
  // tries again in 2 s.
  window.callscopePoll = function (url, every, onState, onRefused) {
    var timer = null;
    var poll = function () {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          if (!res.ok) { onRefused(res.j); return; }
          onState(res.j);
          if (res.j.state === "running") timer = setTimeout(poll, every);
        })
        .catch(function () { timer = setTimeout(poll, 2000); });
    };
    poll();
    window.addEventListener("beforeunload", function () { if (timer) clearTimeout(timer); });
  };

  // -- charts -------------------------------------------------------------------------
  var holder = document.getElementById("series");
  if (!holder || typeof uPlot === "undefined") return;
  var series = JSON.parse(holder.textContent);
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); };
  var fmtInt = function (v) { return v == null ? "-" : Math.round(v).toLocaleString("en-US"); };
  var pct = function (v) { return v == null ? "-" : (100 * v).toFixed(1) + " %"; };
  var secs = function (v) { return v == null ? "-" : v >= 1000 ? (v / 60).toFixed(1) + " min" : v.toFixed(1) + " s"; };
  var bars = uPlot.paths.bars({ size: [0.7, 40] });

  // dates as people read them, on the center's clock: "Mon 12 Jan", "08:00"
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function dayText(ts) {
    var d = new Date(ts * 1e3);
    return DAYS[d.getUTCDay()] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
  }
  function xValues(u, splits) {
    return splits.map(function (ts) {
      var d = new Date(ts * 1e3);
      if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0) return dayText(ts);
      return ("0" + d.getUTCHours()).slice(-2) + ":" + ("0" + d.getUTCMinutes()).slice(-2);
    });
  }

  // counts are whole: their axis steps by 1, 2, 5, 10 ... (never 0, 0, 1, 1 for 0.4, 0.8)
  var WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];
  function axes(yfmt) {
    var y = { stroke: "#5d6675", grid: { stroke: "#eceff3" }, size: 64,
      values: function (u, vals) { return vals.map(yfmt); } };
    if (yfmt === fmtInt) y.incrs = WHOLE;
    return [{ stroke: "#5d6675", grid: { stroke: "#eceff3" }, values: xValues }, y];
  }

  function build(kind, d, el) {
    var width = Math.max(300, el.clientWidth), height = 240;
    var x = d.x;
    var step = x.length > 1 ? x[1] - x[0] : 86400;
    var pad = el.getAttribute("data-grain") === "day" ? step / 2 : 0;
    var xScale = { time: true, range: function () { return [x[0] - pad, x[x.length - 1] + step - pad]; } };
    var base = { width: width, height: height, tzDate: utc, legend: { show: true },
                 cursor: { drag: { x: false, y: false } }, scales: { x: xScale } };
    if (kind === "volume") {
      return new uPlot(Object.assign(base, {
        series: [{}, { label: "Offered", stroke: "#1f5fbf", fill: "rgba(31,95,191,0.35)", paths: bars, value: function (u, v) { return fmtInt(v); } },
                     { label: "Abandoned", stroke: "#b3261e", width: 2, value: function (u, v) { return fmtInt(v); } }],
        axes: axes(fmtInt), scales: { x: xScale, y: { range: function (u, lo, hi) { return [0, Math.max(1, hi) * 1.08]; } } }
      }), [x, d.offered, d.abandoned], el);
    }
    if (kind === "sl") {
      var goal = x.map(function () { return series.goal; });
      return new uPlot(Object.assign(base, {
        series: [{}, { label: "Service level", stroke: "#1e7b34", width: 2, value: function (u, v) { return pct(v); } },
                     { label: "Goal", stroke: "#b3261e", dash: [6, 4], width: 1.5, points: { show: false }, value: function (u, v) { return pct(v); } }],
        axes: axes(pct), scales: { x: xScale, y: { range: [0, 1] } }
      }), [x, d.service_level, goal], el);
    }
    if (kind === "asa") {
      return new uPlot(Object.assign(base, {
        series: [{}, { label: "ASA", stroke: "#7a3fb0", width: 2, value: function (u, v) { return secs(v); } }],
        axes: axes(secs), scales: { x: xScale, y: { range: function (u, lo, hi) { return [0, Math.max(1, hi) * 1.1]; } } }
      }), [x, d.asa_s], el);
    }
    if (kind === "staffing") {
      var agents = function (v) { return v == null ? "-" : v.toFixed(1); };
      return new uPlot(Object.assign(base, {
        series: [{}, { label: "Required", stroke: "#b3261e", width: 2, paths: uPlot.paths.stepped({ align: 1 }), value: function (u, v) { return fmtInt(v); } },
                     { label: "On duty", stroke: "#1f5fbf", fill: "rgba(31,95,191,0.18)", width: 2, paths: uPlot.paths.stepped({ align: 1 }), value: function (u, v) { return agents(v); } }],
        axes: axes(fmtInt), scales: { x: xScale, y: { range: function (u, lo, hi) { return [0, Math.max(1, hi) * 1.08]; } } }
      }), [x, d.required, d.on_duty], el);
    }
    if (kind === "forecast") {
      return new uPlot(Object.assign(base, {
        series: [{}, { label: "Offered", stroke: "#1f5fbf", fill: "rgba(31,95,191,0.30)", paths: bars, value: function (u, v) { return fmtInt(v); } },
                     { label: "Forecast", stroke: "#8a5a00", width: 2, dash: [6, 3], value: function (u, v) { return v == null ? "-" : v.toFixed(1); } }],
        axes: axes(fmtInt), scales: { x: xScale, y: { range: function (u, lo, hi) { return [0, Math.max(1, hi) * 1.08]; } } }
      }), [x, d.offered, d.forecast], el);
    }
    return new uPlot(Object.assign(base, {
      series: [{}, { label: "Abandonment", stroke: "#b3261e", width: 2, value: function (u, v) { return pct(v); } }],
      axes: axes(pct), scales: { x: xScale, y: { range: function (u, lo, hi) { return [0, Math.max(0.05, hi) * 1.1]; } } }
    }), [x, d.abandon_rate], el);
  }

  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var d = series[el.getAttribute("data-grain")];
    if (d) build(el.getAttribute("data-chart"), d, el);
  });
})();
