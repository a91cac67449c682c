"""Print an evaluation or benchmark report (nested dicts and lists) as aligned text."""

from __future__ import annotations


def print_report(report, indent: int = 0) -> None:
    pad = "  " * indent
    if isinstance(report, dict):
        width = max((len(str(k)) for k in report), default=0)
        for key, value in report.items():
            if isinstance(value, (dict, list)) and value:
                print(f"{pad}{key}:")
                print_report(value, indent + 1)
            else:
                print(f"{pad}{str(key).ljust(width)}  {value}")
    elif isinstance(report, list):
        for item in report:
            if isinstance(item, dict):
                print(f"{pad}- " + ", ".join(f"{k}={v}" for k, v in item.items()))
            else:
                print(f"{pad}- {item}")
    else:
        print(f"{pad}{report}")
