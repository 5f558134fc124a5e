# Byte-compiles the staged app package (mounted at /app) with the Pyodide the
# site ships, run by tools/web/run-pyodide.mjs from tools/build_web.py.
#
# * __pypackages__ (the dependencies): sourceless - each module.py is replaced
#   by module.pyc, which is smaller to ship than source plus cache;
# * the app's own code: source kept (readable tracebacks), plus
#   __pycache__/module.cpython-3XX.pyc.
# Unchecked-hash pycs: valid whatever the files' times after unpacking.
# Without this, Pyodide compiles every module at every start (its file system
# is in memory, so nothing is cached across page loads).
import compileall
import os
import py_compile
import sys

MODE = py_compile.PycInvalidationMode.UNCHECKED_HASH
ROOT = "/app"
PKGS = os.path.join(ROOT, "__pypackages__")

ok = compileall.compile_dir(PKGS, quiet=1, legacy=True, invalidation_mode=MODE, workers=1)
removed = 0
for folder, _dirs, files in os.walk(PKGS):
    for name in files:
        if name.endswith(".py") and os.path.exists(os.path.join(folder, name + "c")):
            os.remove(os.path.join(folder, name))
            removed += 1
app_ok = True
for entry in sorted(os.listdir(ROOT)):
    path = os.path.join(ROOT, entry)
    if entry == "__pypackages__":
        continue
    if os.path.isdir(path):
        app_ok &= compileall.compile_dir(path, quiet=1, invalidation_mode=MODE, workers=1)
    elif entry.endswith(".py"):
        app_ok &= compileall.compile_file(path, quiet=1, invalidation_mode=MODE)
print(f"compiled: packages {ok}, app {app_ok}, {removed} sources replaced by .pyc, {sys.implementation.cache_tag}")
if not (ok and app_ok):
    raise SystemExit("byte-compiling failed")
