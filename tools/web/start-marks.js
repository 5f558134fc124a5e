// Start-up marks of the page (tools/bench_web.py reads them at the end of a run).
//
// Each phase of the start is recorded with performance.mark: Flutter's own
// steps (flutter_bootstrap.js, patched, calls stappenplanMark), its first
// frame, the Python worker's phases (tools/web/start_marks.py sends them over
// a BroadcastChannel), and "app-shown": the frame after both Flutter's first
// frame and Python's first page, when the page's buttons can be clicked (the
// same moment boot.js hands over from the static shell).  Nothing is shown,
// logged or sent anywhere.
(() => {
  "use strict";
  const mark = (name, epochMs, detail) => {
    const startTime = epochMs === undefined ? performance.now() : Math.max(0, epochMs - performance.timeOrigin);
    performance.mark(name, { startTime, detail: detail === undefined ? null : detail });
  };
  globalThis.stappenplanMark = (name) => mark(name);

  let firstFrame = false;
  let rendered = false;
  function shownWhenBoth() {
    if (!firstFrame || !rendered) return;
    requestAnimationFrame(() => requestAnimationFrame(() => mark("app-shown")));
  }
  window.addEventListener("flutter-first-frame", () => {
    mark("flutter-first-frame");
    firstFrame = true;
    shownWhenBoth();
  }, { once: true });
  if (typeof BroadcastChannel === "function") {
    new BroadcastChannel("stappenplan-start-marks").onmessage = ({ data }) => {
      for (const [name, at, detail] of data) {
        mark(name, at, detail);
        if (name === "python-rendered" && !rendered) {
          rendered = true;
          shownWhenBoth();
        }
      }
    };
  }
})();
