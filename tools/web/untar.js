// Unpacking the app package in the Python worker, in JavaScript.
//
// tools/webbuild/runtime.py appends this to Flet's python-worker.js (and to
// python-snapshot-worker.js): the app package is unpacked with it instead of
// Python's tarfile, which spends about a millisecond per file in Pyodide (the
// package has some 700), by tools/web/python-snapshot.js while Pyodide starts.
// The archive comes from tools/webbuild/app_package.pack: a POSIX tar (PAX
// headers for long names), gzip-compressed.
//
//   flet_js.untar(bytes, dir)           an uncompressed tar (Uint8Array), synchronously
//   flet_js.gunzip(response)            a fetch Response of a .gz -> its bytes (Uint8Array)
//   flet_js.unpackTarGz(response, dir)  a fetch Response of a .tar.gz -> files under dir
// (tools/web/later_package.py unpacks the later package with them too).
(() => {
  "use strict";
  const decoder = new TextDecoder();
  const text = (bytes, start, length) => {
    let end = start;
    while (end < start + length && bytes[end] !== 0) end++;
    return decoder.decode(bytes.subarray(start, end));
  };
  const paxPath = (record) => {
    for (const line of decoder.decode(record).split("\n")) {
      const field = line.slice(line.indexOf(" ") + 1);
      if (field.startsWith("path=")) return field.slice(5);
    }
    return null;
  };

  function untar(bytes, dir) {
    const FS = self.pyodide.FS;
    let offset = 0;
    let longPath = null;
    let files = 0;
    while (offset + 512 <= bytes.length) {
      const header = bytes.subarray(offset, offset + 512);
      if (header.every((b) => b === 0)) break;
      const size = parseInt(text(header, 124, 12).trim() || "0", 8);
      const type = String.fromCharCode(header[156] || 0x30);
      const prefix = text(header, 345, 155);
      const name = longPath || (prefix ? `${prefix}/` : "") + text(header, 0, 100);
      const body = bytes.subarray(offset + 512, offset + 512 + size);
      offset += 512 + Math.ceil(size / 512) * 512;
      if (type === "x") { longPath = paxPath(body); continue; }
      longPath = null;
      if (type === "g") continue;
      if (name.split("/").some((part) => part === "..") || name.startsWith("/")) {
        throw new Error(`unsafe path in the app package: ${name}`);
      }
      const path = `${dir}/${name}`.replace(/\/+$/, "");
      if (type === "5") {
        FS.mkdirTree(path);
      } else if (type === "0") {
        FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
        FS.writeFile(path, body);
        files++;
      }
    }
    return files;
  }

  const gunzip = async (response) =>
    new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());

  self.flet_js.untar = untar;
  self.flet_js.gunzip = gunzip;
  self.flet_js.unpackTarGz = async (response, dir) => untar(await gunzip(response), dir);
})();
