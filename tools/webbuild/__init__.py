"""The static web build, one module per job (``tools/build_web.py`` is its command line).

The result runs entirely in the browser (Python in Pyodide, in a Web Worker)
and asks nothing of any other origin; put the folder on any static web server
(sub-path: ``--base-path``).  Flet's ``flet publish`` needs the network, so
this builds on Flet's own pieces instead, step by step (``pipeline.build``):

1. ``runtime``: the prebuilt Flutter web client of ``flet_web`` (CanvasKit renderer, the
   dart2js build), Pyodide's core files and Flet's ``python.js`` /
   ``python-worker.js`` — only what the page loads (pruned: the skwasm/wimp
   renderers, the dart2wasm build, debug symbols, unused fonts and assets);
2. ``app_package``: ``app.tar.gz``, the app's Python (``main.py``, the packages from
   ``pyproject.toml``, compiled translations, ``tools/web/web_main.py`` as
   the entry point) and its pure-Python dependencies under
   ``__pypackages__/`` (``distributions``; pruned: Babel locales other than nl/en, time zones,
   holiday countries, compiled extensions, stubs, the long descriptions in
   the distributions' METADATA).  With ``--school-profile``
   (a YAML file, see ``docs/schoolprofiel.voorbeeld.yaml``, or a
   ``.stappenplan-school`` file exported from the app) the school's profile
   goes in too (``school/bundled.stappenplan-school``), so the school's
   Chromebooks start with it.  A smoke test (``smoke``) imports the pruned package in
   an isolated interpreter before it is packed;
3. ``fonts``: Roboto (bundled with Flet) registered in ``FontManifest.json`` with
   Flet's ``patch_font_manifest_json``; Material Icons cut down to the icons
   the app uses (plus those Flutter and Flet draw themselves);
4. ``index_page``: ``index.html`` from Flet's template, patched by Flet's
   ``patch_index_html`` (Pyodide mode, no CDN, base path, hash routing) and
   by ``tools/web_shell.render_index`` (CSP, Dutch, the static shell of acute
   actions and help lines from ``content/``, the school's own contacts first
   when there is a school profile, ``assets/page-guard.js``), with a CSP whose inline scripts
   are allowed by their SHA-256 hashes; the ``pyodideUrl`` of Flet 1.0.5
   (relative, which a module worker cannot import) is made absolute;
5. ``runtime``: ``flutter_bootstrap.js`` patched so the shell stays until the Python app
   has rendered, without Flutter's own (self-removing) service worker, and
   with the CanvasKit build chosen by ``tools/web/boot.js``; ``python.js``
   patched to pass the app's "rendered" event to the page;
6. ``web_manifest``: the web app manifest and icons, generated from ``assets/icon.png``;
7. ``service_worker``: ``sw.js``, a Workbox service worker (``tools/web``, npm, pinned in
   ``package-lock.json``) that precaches the site.

``site_report`` prints what the first visit downloads; ``--report FILE`` writes the same
figures as JSON.  Needs Node.js (>= 18) and npm for step 7.
"""
