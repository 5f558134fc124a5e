// Runs a Python file in Pyodide under Node: the Pyodide the site ships
// (flet_web's), so what it compiles or checks matches the browser exactly.
//
//   node run-pyodide.mjs PYODIDE_DIR SCRIPT.py [--mount HOST=/guest]... [--path /guest]... [--fake-indexeddb] [--preload FILE.mjs]...
//
// --mount   mounts a host folder read-write (Emscripten NODEFS)
// --path    puts a folder in front of sys.path
// --fake-indexeddb  installs an in-memory IndexedDB (tests of storage/web.py;
//           WebCrypto is Node's own globalThis.crypto)
// --preload imports a module once Pyodide is loaded (tests: an in-memory navigator.locks)
// The script's output is passed through; the exit code is 1 when it raises.
// Used by tools/build_web.py (byte-compiling the app package) and the tests.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [pyodideDir, script, ...rest] = process.argv.slice(2);
const mounts = [];
const paths = [];
const preloads = [];
let fakeIndexedDb = false;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === "--mount") mounts.push(rest[++i].split("="));
  else if (rest[i] === "--path") paths.push(rest[++i]);
  else if (rest[i] === "--fake-indexeddb") fakeIndexedDb = true;
  else if (rest[i] === "--preload") preloads.push(rest[++i]);
  else throw new Error(`unknown argument ${rest[i]}`);
}
if (fakeIndexedDb) {
  await import(pathToFileURL(join(here, "node_modules", "fake-indexeddb", "auto", "index.mjs")).href);
}
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: pyodideDir.endsWith("/") ? pyodideDir : `${pyodideDir}/`,
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
// After loading: a global ``navigator`` would make Pyodide's loader take Node for a browser.
for (const file of preloads) await import(pathToFileURL(file).href);
for (const [host, guest] of mounts) {
  pyodide.FS.mkdirTree(guest);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: host }, guest);
}
pyodide.globals.set("_run_pyodide_paths", pyodide.toPy(paths));
await pyodide.runPythonAsync(`
import sys
sys.dont_write_bytecode = True  # never write caches into mounted host folders by accident
sys.path[:0] = list(_run_pyodide_paths)
del _run_pyodide_paths
`);
try {
  await pyodide.runPythonAsync(readFileSync(script, "utf8"), { filename: script });
} catch (error) {
  console.error(String(error));
  process.exit(1);
}
