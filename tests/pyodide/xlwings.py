"""Stand-in for xlwings Lite's decorators inside Pyodide, with the signatures xlwings documents:
``func(f=None, **kwargs)`` (name, namespace, volatile, cache …), ``arg(arg, convert=None, **kwargs)``
(an unknown argument name is an error, as in xlwings), ``ret(convert=None, **kwargs)``. They only
record metadata and leave the plain function behind, as xlwings' own decorators do. xlwings' real
Lite call path lives in xlwings/pro (xlwings PRO licence), so it is not used here."""

import inspect

REGISTERED = {}


def _meta(f):
    if not hasattr(f, "__xlfunc__"):
        f.__xlfunc__ = {"name": f.__name__, "doc": f.__doc__, "args": {}, "ret": {}, "func": {}}
    return f.__xlfunc__


def func(f=None, **kwargs):
    def inner(fn):
        _meta(fn)["func"] = kwargs
        REGISTERED[kwargs.get("name", fn.__name__).upper()] = fn
        return fn
    return inner if f is None else inner(f)


def arg(arg, convert=None, **kwargs):
    def inner(fn):
        if arg not in inspect.signature(fn).parameters:
            raise Exception(f"Invalid argument name '{arg}'.")
        _meta(fn)["args"][arg] = dict(kwargs, convert=convert)
        return fn
    return inner


def ret(convert=None, **kwargs):
    def inner(fn):
        _meta(fn)["ret"] = dict(kwargs, convert=convert)
        return fn
    return inner
