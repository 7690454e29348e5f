"""jixiao (绩效): spreadsheet-native toolkit for 预算绩效自评."""

__version__ = "0.1.0"


def __getattr__(name: str):  # lazy: `import jixiao` stays light
    if name == "validate":
        from .validation import validate

        return validate
    raise AttributeError(f"module 'jixiao' has no attribute {name!r}")
