// Service worker of the static web app (source; tools/build_web.py bundles it
// with Rollup and Workbox's injectManifest writes the precache list into it).
//
// * Precaches the whole site: every file the app needs offline, each with a
//   content hash as its revision.  A new deployment downloads only the files
//   whose hash changed, in the background; the running version keeps being
//   served from the cache until the user chooses "opnieuw laden".
// * Of the two CanvasKit builds only the one this browser loads is
//   precached: boot.js registers "sw.js?canvaskit=chromium" or "=full" with
//   the same choice it gives Flutter.
// * Every navigation inside the scope gets index.html (offline, too).
// * Large files are downloaded as their gzip twins (FILE.gz, written by the
//   build) and unpacked here with DecompressionStream: about half the bytes,
//   whatever the web server does.  Browsers without DecompressionStream (and
//   pages without a service worker) get the plain files.
// * During the first install it reports progress to the page, so the shell
//   can say how far preparing for offline use has come.

import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { clientsClaim, setCacheNameDetails } from "workbox-core";

const BUILD_ID = __BUILD_ID__; // replaced at build time

const variant = new URL(self.location.href).searchParams.get("canvaskit") === "chromium" ? "chromium" : "full";
const OTHER_VARIANT = variant === "chromium" ? /(^|\/)canvaskit\/canvaskit\.(js|wasm)$/ : /(^|\/)canvaskit\/chromium\//;

setCacheNameDetails({ prefix: "stappenplan-online-incidenten", precache: "precache", runtime: "runtime" });

// Added by tools/web/build-sw.mjs: `s` = bytes to download, `z` = has a .gz twin.
const manifest = self.__WB_MANIFEST.filter((entry) => !OTHER_VARIANT.test(entry.url));
const absolute = (url) => new URL(url, self.location.href).href;
const sizes = new Map(manifest.map((e) => [absolute(e.url), e.s || 0]));
const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
const canGunzip = typeof DecompressionStream === "function";
const zipped = new Set(canGunzip ? manifest.filter((e) => e.z).map((e) => absolute(e.url)) : []);

function withoutRevision(url) {
  const u = new URL(url);
  u.searchParams.delete("__WB_REVISION__");
  return u.href;
}

function typeFor(url) {
  const ext = new URL(url).pathname.split(".").pop().toLowerCase();
  return TYPES[ext] || null;
}

// Some servers send .wasm or .mjs with a generic type; WebAssembly streaming
// compilation and module scripts refuse those, so fix the type once, when the
// response is stored.  Error responses are never stored (and fail the install).
// index.html has a gzip twin too (the static shell makes it large): unpacked
// without its type, a navigation to it would become a download.
const TYPES = { wasm: "application/wasm", mjs: "text/javascript", js: "text/javascript", json: "application/json",
  html: "text/html" };
const JS_TYPES = new Set(["text/javascript", "application/javascript", "application/x-javascript"]);

let doneBytes = 0;
let lastReport = 0;

async function tellPages(message) {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "window" })) {
    client.postMessage(message);
  }
}

addPlugins([
  {
    async requestWillFetch({ request }) {
      const plain = withoutRevision(request.url);
      if (!zipped.has(plain)) return request;
      return new Request(`${plain}.gz`, { cache: request.cache === "only-if-cached" ? "default" : request.cache, credentials: "same-origin" });
    },
    async fetchDidSucceed({ request, response }) {
      const url = new URL(request.url);
      if (!url.pathname.endsWith(".gz") || !zipped.has(url.href.slice(0, -3))) return response;
      const plain = url.href.slice(0, -3);
      if (!response.ok) {
        return fetch(plain, { cache: "reload", credentials: "same-origin" }); // no twin on this server
      }
      const data = await response.arrayBuffer();
      const bytes = new Uint8Array(data, 0, Math.min(2, data.byteLength));
      // A server that labels .gz with Content-Encoding has let the browser unpack it already.
      const packed = bytes[0] === 0x1f && bytes[1] === 0x8b;
      const body = packed ? new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip")) : data;
      const headers = new Headers();
      headers.set("content-type", typeFor(plain) || response.headers.get("content-type") || "application/octet-stream");
      return new Response(body, { status: 200, statusText: "OK", headers });
    },
    async cacheWillUpdate({ request, response }) {
      if (!response || response.status >= 400 || response.type === "opaque") {
        return null;
      }
      const wanted = typeFor(request.url);
      const have = (response.headers.get("content-type") || "").split(";")[0].trim().toLowerCase();
      if (!wanted || have === wanted || (wanted === "text/javascript" && JS_TYPES.has(have))) {
        return response;
      }
      const headers = new Headers(response.headers);
      headers.set("content-type", wanted);
      return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
    },
    async cacheDidUpdate({ request }) {
      doneBytes += sizes.get(withoutRevision(request.url)) || 0;
      const now = Date.now();
      if (now - lastReport > 250 || doneBytes >= totalBytes) {
        lastReport = now;
        await tellPages({ type: "precache-progress", done: doneBytes, total: totalBytes, build: BUILD_ID });
      }
    },
  },
]);

precacheAndRoute(manifest, {
  // app.tar.gz?v=<hash> (cache busting without a service worker) is the precached app.tar.gz.
  ignoreURLParametersMatching: [/^v$/, /^utm_/, /^fbclid$/],
});
cleanupOutdatedCaches();

// Any other navigation in the scope (a bookmark, "?source=pwa"): the app page.
registerRoute(new NavigationRoute(createHandlerBoundToURL("index.html"), { denylist: [/\/[^/?]+\.[a-z0-9]+(\?|$)/i] }));

// First install: take over the open page at once, so it can start from the cache.
// An update waits until the user chooses to reload (boot.js sends SKIP_WAITING).
clientsClaim();
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") {
    self.skipWaiting();
  }
  if (event.data && event.data.type === "GET_BUILD") {
    event.source && event.source.postMessage({ type: "build", build: BUILD_ID, variant });
  }
});
