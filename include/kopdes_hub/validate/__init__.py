"""Bronze -> silver (typed, base units, IDR) + quarantine (every rule a row broke) + clerk feedback.

- ``prepare``: bronze strings -> the rule columns, in Arrow (numbers, calendar dates, lookups, the NIK mask);
- ``gx``: the contract's rules as one Great Expectations suite per kind, run once over a batch (custom
  expectations in ``expectations``);
- ``reasons``: GX's unexpected rows -> what a clerk reads;
- ``outcome``: decisions, conservation, the silver and quarantine tables;
- ``stage``: the stage's I/O: which submissions, their bronze, the files written and the ledger updated.

Supersession and revalidation are the ledger's (``include.kopdes_hub.ledger``). Callers use the package
(``validate.validate_submissions``); these names are its public face.
"""

from include.kopdes_hub.ledger import apply_supersession, reset_validation
from include.kopdes_hub.periods import normalize_period
from include.kopdes_hub.validate.outcome import Evaluation, Outcome, check_conservation, decide, evaluate, file_problem
from include.kopdes_hub.validate.prepare import (
    Registry,
    SubmissionInput,
    combine_bronze,
    load_registry,
    mask_nik_array,
    parse_dates,
    parse_number,
    parse_numbers,
    prepare,
)
from include.kopdes_hub.validate.reasons import Reason
from include.kopdes_hub.validate.stage import find_bronze, plan_batches, validate_submissions

__all__ = [
    "Evaluation",
    "Outcome",
    "Reason",
    "Registry",
    "SubmissionInput",
    "apply_supersession",
    "check_conservation",
    "combine_bronze",
    "decide",
    "evaluate",
    "file_problem",
    "find_bronze",
    "load_registry",
    "mask_nik_array",
    "normalize_period",
    "parse_dates",
    "parse_number",
    "parse_numbers",
    "plan_batches",
    "prepare",
    "reset_validation",
    "validate_submissions",
]
