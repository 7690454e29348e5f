"""Runs inside Pyodide: executes main.py, then calls each registered function as xlwings Lite
does — a range argument declared ndim=2 arrives as a list of lists, an error cell (err_to_str)
as its text — and reports what each call returned, or the exception it raised."""

import inspect
import json
import runpy
import sys

import xlwings

ERROR_CODES = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def _as_lite_sends(fn, args):
    options = fn.__xlfunc__["args"]
    names = list(inspect.signature(fn).parameters)
    out = []
    for name, value in zip(names, args, strict=False):  # trailing optional arguments may be left out
        if options.get(name, {}).get("ndim") == 2 and not isinstance(value, list):
            value = [[value]]
        elif options.get(name, {}).get("ndim") == 2 and value and not isinstance(value[0], list):
            value = [value]
        out.append(value)
    return out


def run():
    runpy.run_path("/lite/main.py", run_name="main")
    with open("/lite/cases.json", encoding="utf-8") as fh:
        cases = json.load(fh)
    results = []
    for name, args in cases:
        fn = xlwings.REGISTERED[name]
        try:
            value = fn(*_as_lite_sends(fn, args))
            kind = "error" if isinstance(value, str) and value in ERROR_CODES else type(value).__name__
            results.append({"kind": kind, "value": value})
        except Exception as exc:  # a Lite cell would show a traceback: the test fails on it
            results.append({"kind": "exception", "value": f"{type(exc).__name__}: {exc}"})
    meta = {n: {"args": list(f.__xlfunc__["args"]), "doc": f.__doc__} for n, f in xlwings.REGISTERED.items()}
    return json.dumps({"python": sys.version.split()[0], "platform": sys.platform, "results": results,
                       "functions": meta}, ensure_ascii=False)
