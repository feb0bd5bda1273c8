// The book's live panels: the chapter's own Python (lessons_lib) running in the reader's browser.
//
// Copied to _static/vendor/live-panels/ by scripts/offline_assets.py and added only to pages
// that have a panel: a `book-only` notebook cell holding <div class="live-panel"
// data-panel="conv-cost"> (or "factorized-cost"). This script draws the form, the table and the
// bar chart at once, and starts Python only when the reader first uses a panel or scrolls to it:
// Pyodide from _static/vendor/pyodide/ (the pinned npm package), restored from the snapshot
// python-snapshot.bin.gz that the build made with lessons_lib and live_panels.py imported
// (make_snapshot.mjs). Every number comes from live_panels.update(); no formula is written here.
// Opened from file://, where browsers refuse WebAssembly, the panel says it needs a local server.
(function () {
  "use strict";

  var src = document.currentScript.src;
  var VENDOR = src.slice(0, src.lastIndexOf("/live-panels/") + 1);   // .../_static/vendor/
  var SERVE = "python3 -m http.server --directory _build/html";

  function numberField(name, label, value, min, step) {
    return {name: name, label: label, value: String(value), min: min, step: step || 1};
  }
  var PANELS = {
    "conv-cost": {
      legend: "Convolution settings",
      fields: [
        numberField("kernel_size", "kernel size", 3, 1),
        numberField("in_channels", "input channels", 64, 1),
        numberField("out_channels", "output channels", 128, 1),
        numberField("groups", "groups", 8, 1),
        numberField("stride", "stride", 1, 1),
        numberField("input_size", "input size", 28, 1),
        {name: "padding", label: "padding", value: "same", options: ["same", "valid"]},
      ],
      caption: "Cost for one image of a square input, no bias (lessons_lib.arithmetic." +
               "compare_convolutions; the grouped row appears when groups > 1)",
      columns: ["convolution", "output (H, W, C)", "parameters", "MACs", "MACs vs standard"],
    },
    "factorized-cost": {
      legend: "Receptive-field settings",
      fields: [
        numberField("kernel_size", "kernel size", 7, 3, 2),
        numberField("channels", "channels", 192, 1),
        numberField("input_size", "input size", 17, 1),
      ],
      caption: "Three ways to a k x k receptive field: cost for one image, stride 1, same " +
               "padding, no bias (lessons_lib.factorized_arithmetic.factorized_costs)",
      columns: ["layers", "output (H, W, C)", "parameters", "MACs", "MACs vs k x k"],
    },
  };
  var MESSAGES = {
    idle: "This calculator runs the book's own Python (lessons_lib) in your browser. It " +
          "starts when you scroll to it or change a setting.",
    loading: "Starting Python in your browser (Pyodide)\u2026",
    ready: "Ready: every change is computed by lessons_lib, running in your browser.",
    server: "This calculator needs a local server: browsers do not run its Python " +
            "(WebAssembly) in a page opened from a file. Serve the book with <code>" + SERVE +
            "</code> and open <code>http://localhost:8000</code>. The precomputed slider " +
            "figure on this page works as it is.",
  };

  var state = {panels: [], python: null, firstUse: null, trigger: null, readyMs: null};
  window.livePanels = state;   // read by the browser test (tests/browser)

  // ------------------------------------------------------------------ Python, on first use
  async function snapshotBytes(response) {
    if (!response.ok) { throw new Error(response.url + ": HTTP " + response.status); }
    var bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) { return bytes; }  // the server unzipped it
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  async function loadPython() {
    var snapshot = fetch(VENDOR + "live-panels/python-snapshot.bin.gz").then(snapshotBytes);
    var pyodideModule = await import(VENDOR + "pyodide/pyodide.mjs");
    var pyodide = await pyodideModule.loadPyodide({
      indexURL: VENDOR + "pyodide/", _loadSnapshot: snapshot,
    });
    var update = pyodide.pyimport("live_panels").update;
    return function (panel, values) { return JSON.parse(update(panel, JSON.stringify(values))); };
  }

  function startPython(trigger) {
    if (state.python) { return; }
    state.firstUse = performance.now();
    state.trigger = trigger;
    state.panels.forEach(function (p) { p.setState("loading"); });
    state.python = loadPython();
    state.python.then(function (update) {
      state.panels.forEach(function (p) { p.start(update); });
      state.readyMs = performance.now() - state.firstUse;   // until the first numbers show
    }, function (err) {
      console.warn("live panel: Python did not start", err);
      state.panels.forEach(function (p) { p.fail(err); });
    });
  }

  // ------------------------------------------------------------------ one panel
  function Panel(root, name, spec, number) {
    var id = "live-panel-" + number;
    var self = this;
    this.root = root;
    this.name = name;
    this.update = null;
    this.timings = [];        // ms per change: read the form, run Python, write the page
    this.paintTimings = [];   // ms from the same start to the next frame
    // (the first answer, when Python starts, is part of the ready time instead)

    var fields = spec.fields.map(function (f) {
      var control = f.options
        ? "<select id='" + id + "-" + f.name + "' name='" + f.name + "'>" +
          f.options.map(function (o) { return "<option>" + o + "</option>"; }).join("") +
          "</select>"
        : "<input id='" + id + "-" + f.name + "' name='" + f.name + "' type='number' " +
          "inputmode='numeric' min='" + f.min + "' step='" + f.step + "' value='" + f.value + "'>";
      return "<div class='live-panel-field'><label for='" + id + "-" + f.name + "'>" + f.label +
             "</label>" + control + "<span class='live-panel-error' id='" + id + "-" + f.name +
             "-error'></span></div>";
    }).join("");
    root.innerHTML =
      "<form class='live-panel-form' novalidate><fieldset><legend>" + spec.legend + "</legend>" +
      "<div class='live-panel-fields'>" + fields + "</div></fieldset></form>" +
      "<p class='live-panel-status' role='status'></p>" +
      // a narrow screen scrolls the table sideways (a focusable region, for the keyboard)
      "<div class='live-panel-scroll' tabindex='0' role='region' aria-label='" + spec.legend +
      ": results'><table class='live-panel-table'><caption>" + spec.caption + "</caption>" +
      "<thead><tr>" +
      spec.columns.map(function (c) { return "<th scope='col'>" + c + "</th>"; }).join("") +
      "</tr></thead><tbody></tbody></table></div>" +
      "<p class='live-panel-note'></p>" +
      "<figure class='live-panel-chart'><figcaption>Parameters and MACs of each row " +
      "(bar length relative to the largest)</figcaption><div class='live-panel-bars'></div>" +
      "</figure>";
    this.form = root.querySelector("form");
    this.fieldset = root.querySelector("fieldset");
    this.status = root.querySelector(".live-panel-status");
    this.tbody = root.querySelector("tbody");
    this.note = root.querySelector(".live-panel-note");
    this.bars = root.querySelector(".live-panel-bars");
    this.fields = {};
    spec.fields.forEach(function (f) {
      var control = root.querySelector("#" + id + "-" + f.name);
      var error = root.querySelector("#" + id + "-" + f.name + "-error");
      control.value = f.value;
      control.setAttribute("aria-describedby", error.id);
      self.fields[f.name] = {control: control, error: error};
    });
    this.form.addEventListener("submit", function (e) { e.preventDefault(); });
    this.form.addEventListener("input", function () {
      if (self.update) { self.refresh(true); }
    });
    this.setState("idle");
  }

  Panel.prototype.setState = function (name, detail) {
    this.root.dataset.state = name;
    if (name === "failed") {
      this.status.textContent = "The calculator could not start Python in this browser (" +
        detail + "). The precomputed slider figure on this page still works.";
    } else {
      this.status.innerHTML = MESSAGES[name];
    }
  };

  Panel.prototype.start = function (update) {
    this.update = update;
    this.setState("ready");
    this.refresh(false);
  };

  Panel.prototype.fail = function (err) {
    this.setState("failed", (err && err.message) || String(err));
  };

  Panel.prototype.refresh = function (timed) {
    var t0 = performance.now();
    var values = {};
    for (var name in this.fields) { values[name] = this.fields[name].control.value; }
    var result = this.update(this.name, values);
    for (name in this.fields) {
      this.fields[name].error.textContent = "";
      this.fields[name].control.removeAttribute("aria-invalid");
    }
    this.tbody.replaceChildren();
    this.bars.replaceChildren();
    this.root.dataset.result = result.error ? "error" : "rows";
    if (result.error) {
      var field = result.field && this.fields[result.field];
      if (field) {
        field.error.textContent = result.error;
        field.control.setAttribute("aria-invalid", "true");
        this.note.textContent = "No numbers for this setting: see the message next to " +
          field.control.labels[0].textContent + ".";
      } else {
        this.note.textContent = "No numbers for this setting: " + result.error;
      }
    } else {
      this.note.textContent = "";
      this.drawRows(result.rows);
    }
    if (!timed) { return; }
    var timings = this.timings, paints = this.paintTimings;
    timings.push(performance.now() - t0);
    requestAnimationFrame(function () {
      setTimeout(function () { paints.push(performance.now() - t0); }, 0);
    });
  };

  function cell(tag, text, className) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (className) { el.className = className; }
    return el;
  }

  Panel.prototype.drawRows = function (rows) {
    var tbody = this.tbody, bars = this.bars;
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.append(cell("th", r.name), cell("td", r.output_shape), cell("td", r.params, "num"),
                cell("td", r.macs, "num"), cell("td", r.share, "num"));
      tr.firstChild.scope = "row";
      tbody.append(tr);
    });
    [["parameters", "params", "params_bar"], ["MACs per image", "macs", "macs_bar"]]
      .forEach(function (group) {
        var box = cell("div", "", "live-panel-bar-group");
        box.append(cell("p", group[0], "live-panel-bar-title"));
        rows.forEach(function (r) {
          var row = cell("div", "", "live-panel-bar-row");
          var bar = cell("span", "", "live-panel-bar");
          var fill = cell("span", "");
          fill.style.width = Math.max(0.3, 100 * r[group[2]]) + "%";
          bar.setAttribute("aria-hidden", "true");
          bar.append(fill);
          row.append(cell("span", r.name, "live-panel-bar-label"), bar,
                     cell("span", r[group[1]], "live-panel-bar-value"));
          box.append(row);
        });
        bars.append(box);
      });
  };

  // ------------------------------------------------------------------ set up every panel
  function setUp() {
    document.querySelectorAll(".live-panel[data-panel]").forEach(function (root) {
      var spec = PANELS[root.dataset.panel];
      if (!spec) {
        console.warn("live panel: unknown data-panel " + root.dataset.panel);
        return;
      }
      var panel = new Panel(root, root.dataset.panel, spec, state.panels.length + 1);
      state.panels.push(panel);
      if (location.protocol === "file:") {
        panel.setState("server");
        panel.fieldset.disabled = true;
        return;
      }
      ["focusin", "pointerdown", "input"].forEach(function (type) {
        root.addEventListener(type, function () { startPython(type); });
      });
    });
    if (location.protocol === "file:" || !state.panels.length) { return; }
    if (!("IntersectionObserver" in window)) { return; }    // first use starts it instead
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        observer.disconnect();
        startPython("scroll");
      }
    });
    state.panels.forEach(function (p) { observer.observe(p.root); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
