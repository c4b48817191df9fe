"""The self-contained HTML report: one file, plotly inlined, opens offline."""

from awol.report.html import build_report, write_report
from awol.report.results import Result, load_result

__all__ = ["Result", "build_report", "load_result", "write_report"]
