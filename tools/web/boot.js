// Boot script of the static web app (index.html loads it with `defer`).
//
// 1. The static shell (acute actions, help lines, the step plan) in #loading
//    stays on screen until the Python app has rendered its first page: Flet
//    would remove it at Flutter's first frame, which in the browser build
//    comes long before Python is running.  web_main.py announces "rendered"
//    from the Python worker (patched python.js turns that into a
//    "flet-app-event"); the shell (tools/web/shell.js) then hands over.
// 2. The service worker (sw.js, Workbox) precaches the whole site.  On the
//    very first visit Flutter starts only once the service worker controls
//    the page, so every file is downloaded once (by the precache) and the
//    app is ready for offline use from the first start.  Without service
//    worker support (plain http, private mode) Flutter starts at once.
// 3. A new deployment: "Nieuwe versie beschikbaar — opnieuw laden".
(() => {
  "use strict";

  const shell = window.stappenplanShell; // the static shell (tools/web/shell-choose.js, shell.js), inlined before this

  // --- CanvasKit: the same choice as Flutter's loader, made explicit so the
  // service worker precaches exactly the build this browser uses.
  function canvasKitVariant() {
    const blink = navigator.vendor === "Google Inc." || navigator.userAgent.includes("Edg/");
    const codecs = typeof ImageDecoder !== "undefined" && blink;
    const breakIterators = typeof Intl.v8BreakIterator !== "undefined" && typeof Intl.Segmenter !== "undefined";
    return codecs && breakIterators ? "chromium" : "full";
  }
  flet.canvasKitVariant = canvasKitVariant();

  // --- Shell -------------------------------------------------------------------
  let flutterFrame = false;
  let pythonRendered = false;

  function hideShellWhenReady() {
    if (!flutterFrame || !pythonRendered) return;
    // Two animation frames: the one that paints the app's first page, then ours.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => window.dispatchEvent(new Event("stappenplan-app-rendered"))),
    );
  }
  window.addEventListener("flutter-first-frame", () => { flutterFrame = true; hideShellWhenReady(); }, { once: true });
  const failed = () => shell.failed();
  window.addEventListener("flet-app-event", (event) => {
    if (event.detail === "rendered") { pythonRendered = true; hideShellWhenReady(); makeSnapshotSoon(); }
    if (event.detail === "failed") failed();
    if (event.detail === "python-snapshot-missing") { snapshotMissing = true; makeSnapshotSoon(); }
  });
  window.addEventListener("flet-python-error", failed);

  // --- Python worker, started early ------------------------------------------
  // Flet's python.js starts the Python worker only when the Flutter engine is
  // up.  Starting it together with Flutter lets Pyodide load on the other
  // core meanwhile; python.js (patched) takes this worker over, with the
  // messages it sent so far.  Same init message as python.js sends (Flet's
  // client passes empty args).
  let prewarmed = null;
  const workerBase = () =>
    flet.entrypointBaseUrl.endsWith("/") ? flet.entrypointBaseUrl.slice(0, -1) : flet.entrypointBaseUrl;
  function startPythonWorker() {
    if (!flet.pyodide) return;
    const worker = new Worker(`${workerBase()}/python-worker.js`, { type: "module" });
    const buffered = [];
    let handler = null;
    worker.addEventListener("message", (event) => { if (!handler) buffered.push(event); });
    worker.postMessage({
      pyodideUrl: flet.pyodideUrl,
      args: {},
      documentUrl: document.URL,
      appPackageUrl: flet.appPackageUrl,
      micropipIncludePre: flet.micropipIncludePre,
      pythonModuleName: flet.pythonModuleName,
    });
    prewarmed = {
      worker,
      attach(onmessage) {
        handler = onmessage;
        for (const event of buffered.splice(0)) onmessage(event);
      },
    };
  }
  globalThis.stappenplanTakePythonWorker = (args) => {
    const taken = prewarmed;
    prewarmed = null;
    // Only the plain start-up this worker was made for (no script, no extra packages).
    return taken && args && Object.keys(args).length === 0 ? taken : (taken && taken.worker.terminate(), null);
  };

  // --- The Python start snapshot -------------------------------------------------
  // When the Python worker started without one (the first start of a build),
  // python-snapshot-worker.js makes it (tools/web/python-snapshot.js) in a
  // worker of its own, a few seconds after the app has rendered: it never
  // competes with this start, and the next start restores it.
  const SNAPSHOT_DELAY_MS = 5000;
  let snapshotMissing = false;
  function makeSnapshotSoon() {
    if (!snapshotMissing || !pythonRendered) return;
    snapshotMissing = false;
    setTimeout(() => {
      const worker = new Worker(`${workerBase()}/python-snapshot-worker.js`, { type: "module" });
      worker.postMessage({ pyodideUrl: flet.pyodideUrl, appPackageUrl: flet.appPackageUrl });
    }, SNAPSHOT_DELAY_MS);
  }

  // --- Flutter ----------------------------------------------------------------
  let started = false;
  function startFlutter() {
    if (started) return;
    started = true;
    globalThis.stappenplanMark?.("flutter-start");
    startPythonWorker();
    const script = document.createElement("script");
    script.src = "flutter_bootstrap.js";
    script.async = true;
    document.body.append(script);
  }

  // --- Service worker -----------------------------------------------------------
  if (!("serviceWorker" in navigator) || !window.isSecureContext) {
    startFlutter();
    return;
  }
  const sw = navigator.serviceWorker;
  const controlledAtStart = Boolean(sw.controller);
  let updateAccepted = false;
  if (controlledAtStart) startFlutter();

  // First visit: start Flutter once the new service worker controls the page.
  // If the install stalls or fails, start anyway (the page then loads the
  // files itself, as without a service worker).
  let watchdog = null;
  function armWatchdog() {
    clearTimeout(watchdog);
    if (!started) watchdog = setTimeout(startFlutter, 20000);
  }

  sw.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "precache-progress" && !controlledAtStart) {
      shell.progress(data.done, data.total);
      armWatchdog();
    }
  });

  sw.addEventListener("controllerchange", () => {
    if (!started) {
      clearTimeout(watchdog);
      startFlutter();
    } else if (updateAccepted) {
      window.location.reload();
    } else {
      // Another tab accepted the update: this one runs the old version.
      showUpdateBanner(null);
    }
  });

  sw.register(`sw.js?canvaskit=${flet.canvasKitVariant}`, { scope: "./", updateViaCache: "none" })
    .then((registration) => {
      if (!started) {
        const pending = registration.installing;
        if (!pending) {
          // Installed already but not controlling this page (a hard reload
          // bypasses the service worker): start now.
          startFlutter();
        } else {
          armWatchdog();
          pending.addEventListener("statechange", () => {
            if (pending.state === "redundant") startFlutter();
          });
        }
      }
      watchForUpdates(registration);
      if (window.matchMedia("(display-mode: standalone)").matches && navigator.storage && navigator.storage.persist) {
        // Installed app: ask the browser not to evict the journal under storage pressure.
        navigator.storage.persist().catch(() => {});
      }
    })
    .catch((error) => {
      console.warn("Service worker not registered:", error);
      startFlutter();
    });

  function watchForUpdates(registration) {
    const offer = (worker) => {
      if (sw.controller && worker) showUpdateBanner(worker);
    };
    if (registration.waiting) offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      if (!worker) return;
      worker.addEventListener("statechange", () => {
        if (worker.state === "installed") offer(worker);
      });
    });
    const check = () => registration.update().catch(() => {});
    setInterval(check, 60 * 60 * 1000);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") check();
    });
  }

  // --- "Nieuwe versie beschikbaar — opnieuw laden" ------------------------------
  function showUpdateBanner(waitingWorker) {
    let banner = document.getElementById("update-banner");
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "update-banner";
      banner.setAttribute("role", "alert");
      banner.lang = shell.language;
      const text = document.createElement("span");
      text.textContent = `${shell.words.newVersion} — `;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = shell.words.reload;
      banner.append(text, button);
      document.body.append(banner);
    }
    banner.querySelector("button").onclick = () => {
      updateAccepted = true;
      if (waitingWorker && waitingWorker.state === "installed") {
        waitingWorker.postMessage({ type: "SKIP_WAITING" });
      } else {
        window.location.reload();
      }
    };
  }
})();
