"""jixiao (绩效): spreadsheet-native toolkit for 预算绩效自评."""

__version__ = "0.1.0"
