"""Validation of a CSV folder before anything is written: every problem, with file, line and column.

Parsing and checking are pure; only the look-up of ids that the folder refers to but does not
define needs the database, and it is done in bulk (see :func:`missing_in_database`).
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from graph.db import Database
from loaders.csvformat import FILES, Column, FileSpec

__all__ = ["ParsedFile", "Problem", "Validation", "missing_in_database", "parse_file", "validate_folder"]

REF_KINDS = ("person", "company", "product", "order")
LOOKUP_BATCH = 10_000


@dataclass(frozen=True, order=True)
class Problem:
    """One error in the input, printed as ``FILE:LINE: COLUMN: message``."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


@dataclass
class ParsedFile:
    """The typed rows of one file (None for an empty cell) and the line each row starts on."""

    spec: FileSpec
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@dataclass
class Validation:
    """The outcome of validating a folder: the parsed files, in load order, and every problem."""

    files: dict[str, ParsedFile]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _parse_value(column: Column, text: str) -> Any:
    """The typed value of a non-empty cell; ValueError with a message a user understands."""
    if column.kind == "str":
        return text
    if column.kind == "bool":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return lowered == "true"
    if column.kind == "date":
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(f"expected an ISO 8601 date (YYYY-MM-DD), got {text!r}") from None
    try:
        value = int(text) if column.kind == "int" else float(text)
    except ValueError:
        raise ValueError(f"expected {'an integer' if column.kind == 'int' else 'a number'}, got {text!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {text!r}")
    too_low = column.low is not None and (value <= column.low if column.low_open else value < column.low)
    too_high = column.high is not None and value > column.high
    if too_low or too_high:
        low = "" if column.low is None else ("(" if column.low_open else "[") + f"{column.low:g}"
        high = "" if column.high is None else f"{column.high:g}]"
        raise ValueError(f"{text} is out of range {low or '(-inf'}, {high or 'inf)'}")
    return value


def _decode(name: str, raw: bytes) -> tuple[str | None, Problem | None]:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, Problem(name, line, "-", "not a CSV file (it holds binary data)")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(name, line, "-", f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")


def parse_file(spec: FileSpec, raw: bytes) -> tuple[ParsedFile, list[Problem]]:
    """Parse one file's bytes: header, types, ranges, required cells and duplicate keys."""
    parsed, problems = ParsedFile(spec), []
    text, problem = _decode(spec.name, raw)
    if problem:
        return parsed, [problem]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return parsed, [Problem(spec.name, 1, "-", f"not valid CSV: {exc}")]
    if not header or not any(h.strip() for h in header):
        return parsed, [Problem(spec.name, 1, "-", "empty file: expected a header row")]
    header = [h.strip() for h in header]
    for name in header:
        if name not in spec.names:
            problems.append(Problem(spec.name, 1, name or "-", f"unknown column (expected: {', '.join(spec.names)})"))
    for name in sorted({h for h in header if header.count(h) > 1}):
        problems.append(Problem(spec.name, 1, name, "column appears twice"))
    for column in spec.columns:
        if column.required and column.name not in header:
            problems.append(Problem(spec.name, 1, column.name, "missing required column"))
    if problems:
        return parsed, problems
    columns = [spec.column(name) for name in header]
    seen: dict[tuple, int] = {}
    end = 1
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(spec.name, start, "-", f"not valid CSV: {exc}"))
            break
        end = reader.line_num
        if not record or record == [""]:
            continue
        if len(record) != len(header):
            problems.append(Problem(spec.name, start, "-", f"{len(record)} fields where the header has {len(header)}"))
            continue
        row: dict[str, Any] = dict.fromkeys(spec.names)
        row_ok = True
        for column, cell in zip(columns, record, strict=True):
            if cell.strip() == "":
                if column.required:
                    problems.append(Problem(spec.name, start, column.name, "required value is empty"))
                    row_ok = False
                continue
            try:
                row[column.name] = _parse_value(column, cell if column.kind == "str" else cell.strip())
            except ValueError as exc:
                problems.append(Problem(spec.name, start, column.name, str(exc)))
                row_ok = False
        if not row_ok:
            continue
        key = tuple(row[k] for k in spec.key)
        if key in seen:
            shown = ", ".join(f"{k}={row[k]}" for k in spec.key)
            message = f"duplicate key ({shown}), first on line {seen[key]}"
            problems.append(Problem(spec.name, start, spec.key[-1], message))
            continue
        seen[key] = start
        parsed.rows.append(row)
        parsed.lines.append(start)
    return parsed, problems


def _defined_ids(files: dict[str, ParsedFile]) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = defaultdict(set)
    for parsed in files.values():
        if parsed.spec.defines:
            key = parsed.spec.key[0]
            ids[parsed.spec.defines].update(row[key] for row in parsed.rows)
    return ids


def missing_in_database(db: Database, kind: str, ids: Iterable[str]) -> set[str]:
    """The ids of one kind (person, company, product, order) that the database does not hold."""
    label, key = {"person": ("Person", "personId"), "company": ("Company", "companyId"),
                  "product": ("Product", "sku"), "order": ("Order", "orderId")}[kind]
    ids = sorted(ids)
    found: set[str] = set()
    for i in range(0, len(ids), LOOKUP_BATCH):
        rows = db.read(f"UNWIND $ids AS id MATCH (n:{label} {{{key}: id}}) RETURN n.{key} AS id",
                       {"ids": ids[i: i + LOOKUP_BATCH]})
        found.update(r["id"] for r in rows)
    return set(ids) - found


Lookup = Callable[[str, set[str]], set[str]]


def _check_references(files: dict[str, ParsedFile], lookup: Lookup | None) -> list[Problem]:
    """References to ids neither in the folder nor in the database, and person/company id clashes."""
    defined = _defined_ids(files)
    problems = []
    # person and company ids share one namespace
    for pid in sorted(defined["person"] & defined["company"]):
        parsed = files["companies.csv"]
        line = parsed.lines[[r["company_id"] for r in parsed.rows].index(pid)]
        problems.append(Problem("companies.csv", line, "company_id", f"{pid} is already a person id in people.csv"))
    wanted: dict[str, set[str]] = defaultdict(set)
    for parsed in files.values():
        for column in parsed.spec.columns:
            if column.refers:
                kinds = ("person", "company") if column.refers == "entity" else (column.refers,)
                for row in parsed.rows:
                    if not any(row[column.name] in defined[k] for k in kinds):
                        for k in kinds:
                            wanted[k].add(row[column.name])
    # ids the folder defines must not exist in the database as the other kind
    clashes = {"person": defined["company"], "company": defined["person"]}
    in_db: dict[str, set[str]] = {}
    for kind in REF_KINDS:
        asked = wanted[kind] | clashes.get(kind, set())
        in_db[kind] = asked - (lookup(kind, asked) if lookup and asked else asked)
    for kind, file in (("person", "companies.csv"), ("company", "people.csv")):
        if file in files:
            key = files[file].spec.key[0]
            for row, line in zip(files[file].rows, files[file].lines, strict=True):
                if row[key] in in_db[kind]:
                    problems.append(Problem(file, line, key, f"{row[key]} is already a {kind} id in the database"))
    known = {k: defined[k] | in_db[k] for k in REF_KINDS}
    for parsed in files.values():
        for column in parsed.spec.columns:
            if not column.refers:
                continue
            kinds = ("person", "company") if column.refers == "entity" else (column.refers,)
            for row, line in zip(parsed.rows, parsed.lines, strict=True):
                value = row[column.name]
                if any(value in known[k] for k in kinds):
                    continue
                if column.refers == "person" and value in known["company"]:
                    message = f"{value} is a company id, not a person id"
                elif column.refers == "company" and value in known["person"]:
                    message = f"{value} is a person id, not a company id"
                else:
                    what = "person or company" if column.refers == "entity" else column.refers
                    message = f"unknown {what} id {value!r} (not in this folder nor in the database)"
                problems.append(Problem(parsed.spec.name, line, column.name, message))
    return problems


def validate_folder(folder: Path, db: Database | None = None) -> Validation:
    """Parse and check every CSV file of a folder; references may point into `db` when given."""
    folder = Path(folder)
    files: dict[str, ParsedFile] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return Validation({}, [Problem(str(folder), 0, "-", "not a folder")])
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    for name in present:
        if name not in FILES:
            problems.append(Problem(name, 1, "-", f"unknown file (expected some of: {', '.join(FILES)})"))
    if not any(name in FILES for name in present):
        problems.append(Problem(str(folder), 0, "-", "no CSV files of the import format in this folder"))
    for name, spec in FILES.items():
        if name in present:
            parsed, found = parse_file(spec, (folder / name).read_bytes())
            files[name] = parsed
            problems.extend(found)
    lookup = (lambda kind, ids: missing_in_database(db, kind, ids)) if db is not None else None
    problems.extend(_check_references(files, lookup))
    return Validation(files, sorted(problems, key=lambda p: (list(FILES).index(p.file) if p.file in FILES else -1,
                                                               p.line, p.column)))
