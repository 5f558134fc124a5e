# Driver for storage_web_checks under Node (see pyodide_runner.mjs): reads
# /io/config.json, runs every check, writes /io/results.json.
import json

from storage_web_checks import run_checks

with open("/io/config.json", encoding="utf-8") as fh:
    _config = json.load(fh)
_results = await run_checks(_config)  # noqa: F704 - top-level await (Pyodide)
with open("/io/results.json", "w", encoding="utf-8") as fh:
    json.dump(_results, fh)
