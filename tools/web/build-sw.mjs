// Writes OUT_DIR/sw.js: bundles sw-src.js (Workbox modules, Rollup, Terser)
// and lets Workbox's injectManifest add the precache list of OUT_DIR.
//
//   node build-sw.mjs '{"outDir": "...", "buildId": "...", "globIgnores": [...]}'
//
// Prints one JSON line: {"count": N, "size": BYTES, "warnings": [...]}.
// Run by tools/build_web.py; the versions are pinned in package-lock.json.

import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { nodeResolve } from "@rollup/plugin-node-resolve";
import replace from "@rollup/plugin-replace";
import terser from "@rollup/plugin-terser";
import { rollup } from "rollup";
import { injectManifest } from "workbox-build";

const here = dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(process.argv[2]);
const work = mkdtempSync(join(tmpdir(), "stappenplan-sw-"));

try {
  const bundled = join(work, "sw.js");
  const bundle = await rollup({
    input: join(here, "sw-src.js"),
    plugins: [
      nodeResolve({ browser: true }),
      replace({
        preventAssignment: true,
        values: {
          "process.env.NODE_ENV": JSON.stringify("production"),
          __BUILD_ID__: JSON.stringify(config.buildId),
        },
      }),
      terser({ format: { comments: false } }),
    ],
  });
  await bundle.write({ file: bundled, format: "iife" });
  await bundle.close();

  const result = await injectManifest({
    swSrc: bundled,
    swDest: join(config.outDir, "sw.js"),
    globDirectory: config.outDir,
    globPatterns: ["**/*"],
    globIgnores: ["sw.js", ...(config.globIgnores || [])],
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    // For sw-src.js: `z` marks files with a FILE.gz twin, `s` is the size to
    // download (Workbox drops `size`), for the progress report.
    manifestTransforms: [
      async (entries) => ({
        manifest: entries.map((e) => {
          const twin = join(config.outDir, `${e.url}.gz`);
          return existsSync(twin) ? { ...e, z: 1, s: statSync(twin).size } : { ...e, s: e.size };
        }),
        warnings: [],
      }),
    ],
  });
  console.log(JSON.stringify({ count: result.count, size: result.size, warnings: result.warnings }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
