// The Python worker's start from a memory snapshot.
//
// Without a snapshot, every start spends seconds in Pyodide's own start and
// in importing Flet and the app (on a phone-class CPU this is most of the
// wait for the app).  So once per build, after the app's first start, a
// snapshot of a fresh interpreter's memory right after those imports is made
// and kept in the browser's Cache Storage; later starts restore it instead
// (Pyodide's `_makeSnapshot` / `_loadSnapshot`).
//
// tools/webbuild/runtime.py appends this (after untar.js) to two workers:
// * Flet's python-worker.js loads Pyodide through stappenplanLoadPyodide:
//   from this build's snapshot if there is one, else as before; it also
//   unpacks the app package (Flet's start-up code then only calls
//   flet_js.appPackageUnpacked).  Without a snapshot it tells the page
//   ("python-snapshot-missing"), and boot.js starts the other worker once the
//   app has rendered.
// * python-snapshot-worker.js makes the snapshot (stappenplanMakeSnapshot) in
//   an interpreter of its own: Pyodide's snapshot mode wraps the browser's
//   globals in a recording proxy that the running app cannot live with.
//
// What is in it: Python's memory after `import flet, main` in a fresh
// interpreter that has run nothing of the app: code and module state only,
// never a journal, a passphrase or anything a user typed.  It never leaves
// the device.  Which build it belongs to: its key is the app package's
// address, which carries the package's content hash; Pyodide itself refuses
// a snapshot of another Pyodide build.  Storing one removes every other.  A
// snapshot that fails to restore is deleted, the start goes on without it,
// and this build does not make another (a marker under its key says so); the
// same happens when the app fails to start from a restored one, and the
// marker stays when making one fails.
// Python's `random` (imported by Pyodide at start) is seeded again after a
// restore, so starts never share its state.
(() => {
  "use strict";

  const CACHE = "stappenplan-python-snapshot";
  const REFUSED = "&refused"; // the marker's key: this build's snapshot did not restore here
  // The imports a snapshot holds: the entry module's (tools/web/web_main.py)
  // `import flet` and `import main`, which are most of its start.
  const IMPORTS = "import flet, main";
  const PACKAGES = "__pypackages__"; // Flet's start-up code adds it to sys.path

  const now = () => performance.timeOrigin + performance.now();
  // Start-up marks for the page (tools/web/start-marks.js): nothing is shown or sent anywhere.
  function mark(name) {
    if (typeof BroadcastChannel !== "function") return;
    const channel = new BroadcastChannel("stappenplan-start-marks");
    channel.postMessage([[name, now(), null]]);
    channel.close();
  }

  // Cache keys (never fetched): the snapshot of an app package, and the marker.
  const keyOf = (appPackageUrl) => {
    const key = new URL("python-snapshot", self.location.href);
    key.searchParams.set("package", new URL(appPackageUrl, self.location.href).href);
    return key.href;
  };
  const openCache = () => (typeof caches === "undefined" ? Promise.resolve(null) : caches.open(CACHE));

  // This build's snapshot is not used again on this device: deleted, and the marker put.
  const refuse = (cache, key) =>
    Promise.all([cache.delete(key), cache.put(key + REFUSED, new Response(""))]).catch(() => {});

  async function fetchAppPackage(appPackageUrl) {
    const response = await fetch(appPackageUrl);
    if (!response.ok) throw new Error(`Failed to download app package: HTTP ${response.status} ${appPackageUrl}`);
    return self.flet_js.gunzip(response);
  }

  // In Flet's Python worker: loadPyodide(config), restored from this build's
  // snapshot when there is one; the app package unpacked in the working directory.
  self.stappenplanLoadPyodide = async (loadPyodide, config) => {
    const appPackage = fetchAppPackage(self.appPackageUrl);
    appPackage.catch(() => {}); // reported where it is awaited
    const key = keyOf(self.appPackageUrl);
    let cache = null;
    let refused = true; // without Cache Storage a snapshot is neither used nor made
    let stored = null;
    try {
      cache = await openCache();
      refused = !cache || Boolean(await cache.match(key + REFUSED));
      const response = !refused && (await cache.match(key));
      stored = response ? new Uint8Array(await response.arrayBuffer()) : null;
    } catch (error) {
      console.warn("Python start snapshot unavailable:", error);
    }
    let pyodide = null;
    if (stored) {
      try {
        pyodide = await loadPyodide({ ...config, _loadSnapshot: stored });
        mark("python-snapshot-restored");
      } catch (error) {
        console.warn("Python start snapshot refused, starting without it:", error);
        await refuse(cache, key);
        stored = null;
      }
    } else if (!refused) {
      self.postMessage({ fletAppEvent: "python-snapshot-missing" });
      mark("python-snapshot-missing");
    }
    pyodide ??= await loadPyodide(config);
    self.stappenplanPyodideReady = now(); // read by tools/web/start_marks.py
    self.pyodide = pyodide;
    self.flet_js.untar(await appPackage, pyodide.FS.cwd());
    if (stored) {
      pyodide.runPython("import random; random.seed()");
      // The app could not start from it (tools/web/web_main.py calls this): the next starts go without it.
      self.flet_js.refusePythonSnapshot = () => refuse(cache, key);
    }
    return pyodide;
  };

  // Flet's start-up code downloads the app package after Pyodide is loaded:
  // it is unpacked already (above), so that second download is dropped.
  self.flet_js.appPackageUnpacked = (response) => response.body?.cancel();

  // In python-snapshot-worker.js: make this build's snapshot and store it.
  self.stappenplanMakeSnapshot = async ({ pyodideUrl, appPackageUrl }) => {
    const cache = await openCache();
    const key = keyOf(appPackageUrl);
    if (!cache || (await cache.match(key)) || (await cache.match(key + REFUSED))) return "present";
    try {
      const appPackage = fetchAppPackage(appPackageUrl);
      appPackage.catch(() => {});
      const { loadPyodide } = await import(pyodideUrl);
      const pyodide = await loadPyodide({ _makeSnapshot: true, stdout: () => {}, stderr: (text) => console.warn(text) });
      self.pyodide = pyodide;
      self.flet_js.untar(await appPackage, pyodide.FS.cwd());
      pyodide.runPython(`import sys\nsys.path.insert(0, "${PACKAGES}")\n${IMPORTS}\nsys.path.remove("${PACKAGES}")`);
      const snapshot = pyodide.makeMemorySnapshot();
      for (const request of await cache.keys()) await cache.delete(request);
      await cache.put(key, new Response(snapshot, { headers: { "content-type": "application/octet-stream" } }));
    } catch (error) {
      // Not again for this build (the next start would spend the same seconds on it).
      await cache.put(key + REFUSED, new Response("")).catch(() => {});
      throw error;
    }
    mark("python-snapshot-stored");
    return "stored";
  };
})();
