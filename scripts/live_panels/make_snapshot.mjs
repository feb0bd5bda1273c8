// Build step of the live panels (run by scripts/offline_assets.py with Node.js):
//
//   node make_snapshot.mjs PYODIDE_DIR OUT_FILE < sources.json
//
// sources.json maps paths ("lessons_lib/arithmetic.py", "live_panels.py", ...) to their text.
// This starts Pyodide, writes the sources under /live_panels, imports `live_panels` (which
// imports lessons_lib) and saves a gzip-compressed memory snapshot of the interpreter to
// OUT_FILE. live-panel.js starts Pyodide from it: about 1 s instead of 3 to 9 s of Python
// start-up on a 2-core machine, with the book's modules already imported.
// (`_makeSnapshot` / `makeMemorySnapshot` / `_loadSnapshot` are Pyodide's snapshot API, marked
// private; Pyodide is pinned exactly in package.json, and the browser test proves it works.)
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import zlib from "node:zlib";

const [pyodideDir, outFile] = process.argv.slice(2);
if (!pyodideDir || !outFile) {
  console.error("usage: node make_snapshot.mjs PYODIDE_DIR OUT_FILE < sources.json");
  process.exit(2);
}
const sources = JSON.parse(fs.readFileSync(0, "utf8"));
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: path.resolve(pyodideDir) + path.sep, _makeSnapshot: true,
});
for (const [file, text] of Object.entries(sources)) {
  pyodide.FS.mkdirTree(path.posix.dirname(`/live_panels/${file}`));
  pyodide.FS.writeFile(`/live_panels/${file}`, text);
}
pyodide.runPython("import sys; sys.path.insert(0, '/live_panels'); import live_panels");
fs.writeFileSync(outFile, zlib.gzipSync(pyodide.makeMemorySnapshot()));
