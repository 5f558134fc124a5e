// An in-memory Web Locks API (navigator.locks) for Node, which has none: the
// exclusive requests of one process queue by name, as a browser's do across
// tabs.  Enough for storage/web.py's WebLock under tests/test_storage_web.py;
// the browser tests use Chromium's own.
const queues = new Map();

function next(name) {
  const queue = queues.get(name);
  if (!queue || queue.held || queue.waiting.length === 0) return;
  const { callback, resolve, reject, signal, onAbort } = queue.waiting.shift();
  if (signal) signal.removeEventListener("abort", onAbort);
  queue.held = true;
  Promise.resolve()
    .then(() => callback({ name, mode: "exclusive" }))
    .then(resolve, reject)
    .finally(() => {
      queue.held = false;
      next(name);
    });
}

const locks = {
  request(name, options, callback) {
    if (typeof options === "function") [options, callback] = [{}, options];
    return new Promise((resolve, reject) => {
      const signal = options.signal;
      if (signal && signal.aborted) return reject(new DOMException("aborted", "AbortError"));
      if (!queues.has(name)) queues.set(name, { held: false, waiting: [] });
      const entry = { callback, resolve, reject, signal, onAbort: null };
      if (signal) {
        entry.onAbort = () => {
          const queue = queues.get(name);
          const at = queue.waiting.indexOf(entry);
          if (at >= 0) {
            queue.waiting.splice(at, 1);
            reject(new DOMException("aborted", "AbortError"));
          }
        };
        signal.addEventListener("abort", entry.onAbort);
      }
      queues.get(name).waiting.push(entry);
      next(name);
    });
  },
};

if (!globalThis.navigator) globalThis.navigator = {};
if (!globalThis.navigator.locks) Object.defineProperty(globalThis.navigator, "locks", { value: locks });
