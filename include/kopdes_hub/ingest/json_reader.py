"""JSON submissions (a list of row objects, or an object with header fields and a ``baris``/``rows`` list): repeated
keys refused, nesting bounded, long integers kept as text, rows free to spell columns their own way."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from include.kopdes_hub import contract
from include.kopdes_hub.config import Limits
from include.kopdes_hub.ingest.reasons import UnreadableFile
from include.kopdes_hub.ingest.table import (
    ParsedFile,
    build_table,
    cell_text,
    check_size,
    finish,
    refuse_two_meaning_one,
)
from include.kopdes_hub.reference import normalize_token


class _DuplicateKey(ValueError):
    pass


def _object_hook(limits: Limits) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """Each object as json builds it: refused when its keys repeat (json keeps the last silently, the clerk may have
    meant the first), and counted, so a file of millions of tiny objects is too large while it is read, before it
    costs a gigabyte (the document and the header object are two more than the rows)."""
    objects = 0

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal objects
        objects += 1
        check_size(objects - 2, len(pairs), limits, f"object {objects:,} of the document")
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise _DuplicateKey(key)
            out[key] = value
        return out

    return hook


LONGEST_INT_DIGITS = 30  # a rupiah amount of any cooperative has at most 13 digits; 30 leaves room for typos


def _json_int(text: str) -> int | str:
    # an integer longer than any amount is kept as the text received (its rule then says why), never converted:
    # Python refuses ints over 4,300 digits and converting a long one costs quadratic time
    return int(text) if len(text) <= LONGEST_INT_DIGITS else text


def _depth(document: Any, limit: int) -> int:
    """How deep the document nests, walked without recursion, stopping as soon as it passes ``limit``."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _canonical_keys(fields: dict[str, str], where: str) -> dict[str, str]:
    """Keys under their contract names, so rows may spell a column differently (``jumlah``, ``qty``); two keys of
    one object meaning the same column are refused, like two such columns in a sheet."""
    refuse_two_meaning_one(list(fields), f"{where}: keys")
    return {contract.canonical_column(key) or key: value for key, value in fields.items()}


def read_json(text: str, encoding: str, limits: Limits) -> ParsedFile:
    try:
        document = json.loads(text, object_pairs_hook=_object_hook(limits), parse_int=_json_int)
    except _DuplicateKey as exc:
        raise UnreadableFile("duplicate_key", f"the key {str(exc)[:80]!r} appears twice in one object") from exc
    except RecursionError as exc:
        raise UnreadableFile("too_deep", f"nested deeper than {limits.max_json_depth} levels") from exc
    except json.JSONDecodeError as exc:
        raise UnreadableFile("invalid_json", f"line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except ValueError as exc:
        raise UnreadableFile("invalid_json", str(exc)[:200]) from exc
    if _depth(document, limits.max_json_depth) > limits.max_json_depth:
        raise UnreadableFile("too_deep", f"nested deeper than {limits.max_json_depth} levels")
    header_fields: dict[str, str] = {}
    if isinstance(document, dict):
        keys = {normalize_token(k): k for k in document}
        row_key = next((keys[k] for k in contract.JSON_ROW_KEYS if k in keys), None)
        if row_key is None or not isinstance(document[row_key], list):
            raise UnreadableFile("invalid_json", f"an object needs a list under one of {contract.JSON_ROW_KEYS}")
        items = document[row_key]
        header_fields = {k: cell_text(v) for k, v in document.items() if k != row_key}
    elif isinstance(document, list):
        items = document
    else:
        raise UnreadableFile("invalid_json", "the document is neither a list nor an object")
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise UnreadableFile("invalid_json", f"row {position} is {type(item).__name__}, not an object")
    check_size(len(items), 0, limits, "the list of rows")
    header = _canonical_keys(header_fields, "the header fields")
    rows = [_canonical_keys({k: cell_text(v) for k, v in item.items()}, f"row {n}") for n, item in enumerate(items, 1)]
    # Row keys win over header fields: a row may correct what the header says.
    columns = list(dict.fromkeys([*header, *(k for row in rows for k in row)]))
    check_size(0, len(columns), limits, "distinct keys")
    body = [[row.get(k, header.get(k, "")) for k in columns] for row in rows]
    try:  # JSON may escape half a UTF-16 pair ("\ud800"), which is no character and which no file can store
        "".join(itertools.chain(columns, *body)).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnreadableFile("invalid_json", "an unpaired surrogate escape (\\ud800-\\udfff) is no character") from exc
    if contract.header_matches(columns) < contract.MIN_HEADER_MATCHES:
        raise UnreadableFile("no_header", f"keys found: {', '.join(columns[:12]) or 'none'}")
    frame, numbers = build_table(columns, body, list(range(1, len(items) + 1)), limits)
    return finish(frame, numbers, "json", encoding=encoding, header_fields=header)
