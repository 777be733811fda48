"""The demo hub: a deterministic year of clerk submissions from Belitung's village cooperatives, for demos, tests
and benchmarks.

- ``model``: the year's facts (months, prices, spellings, defects) and the records of one submission;
- ``year``: who reports, when, and what (``generate_demo``), with the month's finance;
- ``trade``: what a cooperative supplies and needs, and the lines its clerk writes;
- ``defects``: the planted defects and corrected resubmissions validation must handle;
- ``render``: a submission as the bytes a clerk's tool writes;
- ``large``: the benchmark load (``write_large_load``).
"""

from include.kopdes_hub.demo.large import write_large_load
from include.kopdes_hub.demo.model import (
    CLERK_SPELLINGS,
    DEFECTS,
    MISSPELLINGS,
    PERIODS,
    ROW_DEFECTS,
    SHAPES,
    UNIT_SPELLINGS,
    WARNING_DEFECTS,
    WRONG_UNITS,
    DemoFile,
)
from include.kopdes_hub.demo.year import generate_demo

__all__ = [
    "CLERK_SPELLINGS",
    "DEFECTS",
    "MISSPELLINGS",
    "PERIODS",
    "ROW_DEFECTS",
    "SHAPES",
    "UNIT_SPELLINGS",
    "WARNING_DEFECTS",
    "WRONG_UNITS",
    "DemoFile",
    "generate_demo",
    "write_large_load",
]
