"""The demo hub: a deterministic year of clerk submissions (``year``), and the benchmark loads."""

from include.kopdes_hub.demo.year import (
    CLERK_SPELLINGS,
    DEFECTS,
    MISSPELLINGS,
    PERIODS,
    ROW_DEFECTS,
    SHAPES,
    UNIT_SPELLINGS,
    WRONG_UNITS,
    DemoFile,
    generate_demo,
    write_large_load,
)

__all__ = [
    "CLERK_SPELLINGS",
    "DEFECTS",
    "MISSPELLINGS",
    "PERIODS",
    "ROW_DEFECTS",
    "SHAPES",
    "UNIT_SPELLINGS",
    "WRONG_UNITS",
    "DemoFile",
    "generate_demo",
    "write_large_load",
]
