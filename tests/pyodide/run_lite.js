// Load addin/lite/main.py in Pyodide under Node (offline: the standard library ships in the npm
// package) and call its JX_ functions as xlwings Lite would. Arguments: pyodide dir, work dir
// holding main.py, xlwings.py (stand-in decorators), driver.py and cases.json. Prints JSON.
const fs = require("fs");
const path = require("path");
const [pyodideDir, workDir] = process.argv.slice(2);
const { loadPyodide } = require(path.join(pyodideDir, "pyodide.js"));

(async () => {
  const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep, stdout: () => {}, stderr: () => {} });
  pyodide.FS.mkdirTree("/lite");
  for (const name of ["main.py", "xlwings.py", "driver.py", "cases.json"]) {
    pyodide.FS.writeFile("/lite/" + name, fs.readFileSync(path.join(workDir, name), "utf8"));
  }
  const out = pyodide.runPython("import sys; sys.path.insert(0, '/lite'); import driver; driver.run()");
  process.stdout.write(out);
})().catch((err) => {
  process.stderr.write(String(err && err.stack || err));
  process.exit(1);
});
