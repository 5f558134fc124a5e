// Drives tools/web/python-snapshot.js under Node with the built site's Pyodide
// and app package, as the two workers use it (tests/test_web_build.py).
//
//   node python_snapshot_checks.mjs SITE_DIR
//
// The worker's surroundings are stand-ins: Cache Storage is a Map, fetch
// reads the site's files, marks and messages to the page are recorded.
// Prints one JSON object: what each step saw.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const site = path.resolve(process.argv[2]);
const ORIGIN = "http://stappenplan.test/";
const tools = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../tools/web");

// --- the worker's surroundings -----------------------------------------------------------
globalThis.self = globalThis;
self.location = { href: ORIGIN + "python-worker.js" };
const marks = [];
const messages = [];
self.BroadcastChannel = class {
  postMessage(list) { for (const [name] of list) marks.push(name); }
  close() {}
};
self.postMessage = (message) => messages.push(message);
self.fetch = async (url) => {
  const address = new URL(url, self.location.href);
  const file = address.protocol === "file:" ? fileURLToPath(address) : path.join(site, address.pathname.slice(1));
  return new Response(fs.readFileSync(file));
};
const stores = new Map();
self.caches = {
  async open(name) {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name);
    return {
      async match(key) { return store.has(key) ? new Response(store.get(key)) : undefined; },
      async put(key, response) { store.set(String(key), new Uint8Array(await response.arrayBuffer())); },
      async delete(key) { return store.delete(typeof key === "string" ? key : key.url); },
      async keys() { return [...store.keys()].map((url) => ({ url })); },
    };
  },
};
const snapshots = () => [...(stores.get("stappenplan-python-snapshot") || new Map()).keys()];
const snapshotStore = () => stores.get("stappenplan-python-snapshot");

self.flet_js = {};
for (const script of ["untar.js", "python-snapshot.js"]) {
  // Scripts of a worker's global scope (not modules): evaluated there, as the appended files are.
  (0, eval)(fs.readFileSync(path.join(tools, script), "utf-8") + `\n//# sourceURL=${script}`);
}

const index = fs.readFileSync(path.join(site, "index.html"), "utf-8");
self.appPackageUrl = /flet\.appPackageUrl = "([^"]+)"/.exec(index)[1];
const pyodideUrl = pathToFileURL(path.join(site, "pyodide", "pyodide.mjs")).href;
const { loadPyodide } = await import(pyodideUrl);
const config = { stdout: () => {}, stderr: () => {} };

async function start() {
  marks.length = 0;
  messages.length = 0;
  delete self.flet_js.refusePythonSnapshot; // each start is a fresh worker
  const started = performance.now();
  const pyodide = await self.stappenplanLoadPyodide(loadPyodide, config);
  const python = pyodide.runPython(
    "import json, os, random, sys\n" +
      "json.dumps({'imported': 'main' in sys.modules and 'flet' in sys.modules," +
      " 'unpacked': os.path.exists('main.py') and os.path.exists('web_main.py'), 'random': random.random()})",
  );
  const refusable = typeof self.flet_js.refusePythonSnapshot === "function";
  return { ms: Math.round(performance.now() - started), marks: [...marks], messages: [...messages], refusable,
           ...JSON.parse(python) };
}

const out = {};
// A stale snapshot of another build's package is in the cache already.
const stale = new URL("python-snapshot?package=" + encodeURIComponent(ORIGIN + "app.tar.gz?v=0ld"), ORIGIN).href;
await (await caches.open("stappenplan-python-snapshot")).put(stale, new Response(new Uint8Array(8)));
out.first = await start();
out.made = await self.stappenplanMakeSnapshot({ pyodideUrl, appPackageUrl: self.appPackageUrl });
out.keysAfterMaking = snapshots();
out.madeAgain = await self.stappenplanMakeSnapshot({ pyodideUrl, appPackageUrl: self.appPackageUrl });
out.restored = await start();
out.restoredAgain = await start();
// The app fails to start from the restored snapshot (tools/web/web_main.py): not used again.
const [madeKey] = snapshots();
const made = snapshotStore().get(madeKey);
await self.flet_js.refusePythonSnapshot();
out.keysAfterAppFailed = snapshots();
out.afterAppFailed = await start();
snapshotStore().clear();
snapshotStore().set(madeKey, made);
// Damaged: the build id in the snapshot's header no longer matches this Pyodide.
const [key] = snapshots();
const damaged = snapshotStore().get(key).slice();
damaged.fill(0, 16, 48);
snapshotStore().set(key, damaged);
out.damaged = await start();
out.keysAfterDamaged = snapshots();
out.afterRefused = await start();
out.makeAfterRefused = await self.stappenplanMakeSnapshot({ pyodideUrl, appPackageUrl: self.appPackageUrl });
// Making one fails (here: its app package cannot be read): marked, so not tried again.
const missing = "gone.tar.gz?v=1";
out.makeFailed = await self.stappenplanMakeSnapshot({ pyodideUrl, appPackageUrl: missing }).catch(() => "failed");
out.makeFailedAgain = await self.stappenplanMakeSnapshot({ pyodideUrl, appPackageUrl: missing }).catch(() => "failed");
out.keysAfterFailed = snapshots();
out.failedKey = new URL("python-snapshot?package=" + encodeURIComponent(ORIGIN + missing), ORIGIN).href;
out.key = key;
out.expectedKey = new URL(
  "python-snapshot?package=" + encodeURIComponent(new URL(self.appPackageUrl, ORIGIN).href), ORIGIN,
).href;
console.log(JSON.stringify(out));
