/**
 * The parts of report.html that do not depend on the run: its style sheet
 * and the script that draws the charts (uPlot) and the request table from
 * the JSON the renderer embeds.  Plain browser JavaScript, no modules, no
 * network; it reads every text from the data and writes it as text
 * (textContent), never as markup.
 */

export const PAGE_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2430;background:#fafbfc}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}
header{padding-top:12px}
h1{font-size:22px;margin:8px 0}
h2{font-size:19px;margin:28px 0 6px;border-bottom:2px solid #d0d7de;padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}
nav a{margin-right:12px}
table{border-collapse:collapse;margin:6px 0;background:#fff}
th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f0f3f6}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1a7f37;font-weight:600}
.fail{color:#cf222e;font-weight:600}
.desc{white-space:pre-wrap;color:#444}
.tabs button{font:inherit;padding:3px 10px;margin-right:4px;border:1px solid #d0d7de;background:#fff;border-radius:4px;cursor:pointer}
.tabs button[aria-selected=true]{background:#1f6feb;color:#fff;border-color:#1f6feb}
figure.chart{margin:10px 0 18px;background:#fff;border:1px solid #d0d7de;padding:8px}
figure.chart figcaption{font-weight:600}
ul.notes{margin:4px 0 0;padding-left:18px;color:#444;font-size:13px}
.plot{min-height:300px}
.timeline svg{background:#fff;border:1px solid #d0d7de}
.reqbar{display:flex;gap:8px;align-items:center;margin:6px 0}
.reqbar input{font:inherit;padding:3px 6px;width:24em}
table.reqs td{font-size:13px}
table.reqs td.msg{max-width:28em;overflow-wrap:anywhere}
button.dec{font:inherit;font-size:12px;cursor:pointer;border:1px solid #8c959f;border-radius:3px;background:#f6f8fa;margin:1px}
button.dec.bad{border-color:#cf222e;color:#cf222e}
.r-succeeded{color:#1a7f37}.r-refused{color:#9a6700}.r-failed{color:#cf222e}.r-in_flight{color:#6e7781}
dialog{max-width:min(1100px,95vw);max-height:85vh;overflow:auto;border:1px solid #8c959f;border-radius:6px}
dialog pre{white-space:pre-wrap;font-size:12.5px}
footer{color:#57606a;font-size:12px;margin-top:30px;padding-bottom:20px}
`;

/**
 * formatDuration of sim/scenario/duration.ts in the page's JavaScript, the
 * same text for the same milliseconds (a test holds them together):
 * 90000 -> "1m30s", 2700001 -> "45m00.001s".
 */
export const DUR_SCRIPT = String.raw`function dur(ms) {
    var sign = ms < 0 ? '-' : '';
    var rest = Math.round(Math.abs(ms));
    var msPart = rest % 1000;
    rest = (rest - msPart) / 1000;
    var fields = [];
    var units = [[86400, 'd'], [3600, 'h'], [60, 'm']];
    for (var i = 0; i < units.length; i++) {
      var n = Math.floor(rest / units[i][0]);
      rest -= n * units[i][0];
      if (n > 0 || fields.length > 0) fields.push([n, units[i][1]]);
    }
    fields.push([rest, 's']);
    var text = fields.map(function (f, k) { return (k === 0 ? String(f[0]) : String(f[0]).padStart(2, '0')) + f[1]; }).join('');
    var frac = msPart ? '.' + String(msPart).padStart(3, '0') : '';
    return sign + text.slice(0, -1) + frac + 's';
  }`;

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('cinder-sim-data').textContent);
  var PAGE = 100;
  var TICKS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 7776000, 31536000].map(function (s) { return s * 1000; });
  var COLORS = ['#b8860b', '#1f6feb', '#cf222e'];

  ${DUR_SCRIPT}
  // ---- charts ----
  var drawn = [];
  function draw(el) {
    if (el.getAttribute('data-drawn')) return;
    el.setAttribute('data-drawn', '1');
    var sc = DATA.scenarios[+el.getAttribute('data-s')];
    var c = sc.charts[el.getAttribute('data-by')][+el.getAttribute('data-k')];
    var stepped = uPlot.paths.stepped({ align: 1 });
    var series = [{ label: 'virtual time', value: function (u, v) { return v == null ? '-' : dur(v); } }];
    var lines = [c.u, c.p, c.l];
    for (var i = 0; i < 3; i++) {
      series.push({ label: c.labels[i], stroke: COLORS[i], width: i === 2 ? 2 : 1.5, dash: i === 2 ? [8, 4] : undefined, paths: stepped, points: { show: false }, spanGaps: false,
        value: function (u, v) { return v == null ? '-' : (Math.round(v * 100) / 100) + ' GB'; } });
    }
    var opts = {
      width: Math.max(320, el.clientWidth || 900),
      height: 280,
      scales: { x: { time: false } },
      // Room on the right for the last time label (formatDuration's are long: "2d00h00m00s").
      padding: [null, 48, null, null],
      axes: [
        { label: 'virtual time', incrs: TICKS, space: 90, values: function (u, splits) { return splits.map(dur); } },
        { label: 'GB', size: 70 }
      ],
      series: series
    };
    drawn.push({ el: el, plot: new uPlot(opts, [c.t].concat(lines), el) });
  }
  function drawVisible(root) {
    var plots = root.querySelectorAll('.plot');
    for (var i = 0; i < plots.length; i++) if (!plots[i].closest('[hidden]')) draw(plots[i]);
  }
  window.addEventListener('resize', function () {
    for (var i = 0; i < drawn.length; i++) drawn[i].plot.setSize({ width: Math.max(320, drawn[i].el.clientWidth), height: 280 });
  });
  document.querySelectorAll('.tabs').forEach(function (tabs) {
    tabs.addEventListener('click', function (ev) {
      var b = ev.target.closest('button');
      if (!b) return;
      var box = tabs.parentNode;
      tabs.querySelectorAll('button').forEach(function (x) { x.setAttribute('aria-selected', x === b ? 'true' : 'false'); });
      box.querySelectorAll('.group').forEach(function (g) { g.hidden = g.getAttribute('data-by') !== b.getAttribute('data-by'); });
      drawVisible(box);
    });
  });

  // ---- requests and decisions ----
  var dialog = document.getElementById('explain');
  dialog.querySelector('button').addEventListener('click', function () { dialog.close(); });
  function explain(s, d) {
    var sc = DATA.scenarios[s];
    var dec = sc.decisions[d];
    dialog.querySelector('h3').textContent = sc.name + ': ' + sc.str[dec[1]] + ' at ' + dur(dec[0]) + (dec[2] ? ' placed on ' + sc.str[dec[3]] : ': no valid backend');
    // decisionOneLine of reports/html.ts, when the explanation is that line.
    var line = sc.str[dec[1]] + ' ' + (dec[6] < 0 ? '' : sc.str[dec[6]]) + ': ' + (dec[2] ? 'placed on ' + (dec[3] < 0 ? '?' : sc.str[dec[3]]) : (dec[4] < 0 ? 'no valid backend' : sc.str[dec[4]]));
    dialog.querySelector('pre').textContent = dec[5] < 0 ? line : sc.str[dec[5]];
    dialog.showModal();
  }
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('button.dec');
    if (b) explain(+b.getAttribute('data-s'), +b.getAttribute('data-d'));
  });

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function Table(box, s) {
    var sc = DATA.scenarios[s];
    var S = sc.str;
    var rows = sc.requests;
    var at = [];
    var t = 0;
    for (var i = 0; i < rows.length; i++) { t += rows[i][1]; at.push(t); }
    var texts = null;
    var shown = rows.map(function (r, i) { return i; });
    var page = 0;
    var tbody = box.querySelector('tbody');
    var info = box.querySelector('.count');
    function str(i) { return i < 0 ? '' : S[i]; }
    function asked(r) {
      var parts = [];
      if (r[8] >= 0) parts.push(S[r[8]]);
      if (r[9] >= 0) parts.push(r[9] + ' GB');
      if (r[10] >= 0) parts.push('volume type ' + S[r[10]]);
      if (r[11] >= 0) parts.push('zone ' + S[r[11]]);
      return parts.join(' ');
    }
    function text(i) {
      var r = rows[i];
      var parts = ['#' + r[0], dur(at[i]), S[r[2]], S[r[3]], S[r[4]], r[5] < 0 ? '' : String(r[5]), str(r[6]), str(r[7]), asked(r)];
      for (var k = 0; k < r[12].length; k++) { var d = sc.decisions[r[12][k]]; parts.push(str(d[3]), str(d[4])); }
      return parts.join(' ').toLowerCase();
    }
    function render() {
      tbody.textContent = '';
      var from = page * PAGE;
      var to = Math.min(shown.length, from + PAGE);
      for (var n = from; n < to; n++) {
        var i = shown[n];
        var r = rows[i];
        var tr = document.createElement('tr');
        cell(tr, r[0] < 0 ? '' : '#' + r[0], 'n');
        cell(tr, dur(at[i]), 'n');
        cell(tr, S[r[2]]);
        cell(tr, S[r[3]]);
        cell(tr, S[r[4]].replace('_', ' '), 'r-' + S[r[4]]);
        cell(tr, r[5] < 0 ? '' : String(r[5]), 'n');
        cell(tr, str(r[7]));
        cell(tr, asked(r));
        cell(tr, str(r[6]), 'msg');
        var td = cell(tr, '');
        for (var k = 0; k < r[12].length; k++) {
          var d = sc.decisions[r[12][k]];
          var b = document.createElement('button');
          b.className = 'dec' + (d[2] ? '' : ' bad');
          b.setAttribute('data-s', String(s));
          b.setAttribute('data-d', String(r[12][k]));
          b.textContent = d[2] ? str(d[3]) : 'no valid backend';
          b.title = 'why: open the scheduler\'s explanation';
          td.appendChild(b);
        }
        tbody.appendChild(tr);
      }
      info.textContent = shown.length === 0 ? 'no matching request' : 'showing ' + (from + 1) + '-' + to + ' of ' + shown.length + (shown.length === rows.length ? '' : ' matching (' + rows.length + ' in all)');
      box.querySelector('.prev').disabled = page === 0;
      box.querySelector('.next').disabled = to >= shown.length;
    }
    var timer = null;
    box.querySelector('input').addEventListener('input', function (ev) {
      var q = ev.target.value.trim().toLowerCase();
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!texts) texts = rows.map(function (r, i) { return text(i); });
        shown = [];
        for (var i = 0; i < rows.length; i++) if (q === '' || texts[i].indexOf(q) >= 0) shown.push(i);
        page = 0;
        render();
      }, 120);
    });
    box.querySelector('.prev').addEventListener('click', function () { page--; render(); });
    box.querySelector('.next').addEventListener('click', function () { page++; render(); });
    render();
  }
  document.querySelectorAll('.requests').forEach(function (box) { Table(box, +box.getAttribute('data-s')); });
  drawVisible(document);
  document.body.setAttribute('data-ready', '1');
})();
`;
