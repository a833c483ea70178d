"""Validation of a CSV folder before anything is written: every problem, with file, line and column.

Files are read as streams, a chunk of rows at a time, so memory stays flat as the folder grows:
the ids a file defines are remembered as sorted 64-bit hashes with their lines (16 bytes an id),
which is what later files' references and the duplicate check are tested against. A duplicate is
confirmed on the keys themselves; a reference to an id the folder lacks could pass only if its hash
equals a defined id's, odds of about n**2 / 2**65 (below one in a million for millions of keys).
Ids that the folder refers to but does not define are looked up in the database in bulk, one
query per chunk (see :func:`missing_in_database`).
"""

from __future__ import annotations

import csv
import math
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from graph.store.db import Database
from loaders.csvformat import FILES, Column, FileSpec

__all__ = ["ParsedFile", "Problem", "Validation", "missing_in_database", "read_rows", "validate_folder"]

CHUNK = 10_000
BLOCK = 1 << 20
KIND_KEYS = {"person": ("Person", "personId"), "company": ("Company", "companyId"),
             "product": ("Product", "sku"), "order": ("Order", "orderId")}

Lookup = Callable[[str, set[str]], set[str]]
"""``lookup(kind, ids)``: the ids of that kind the database does not hold."""


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
    """One file of a folder: how many rows it holds, and the typed rows when they were kept."""

    spec: FileSpec
    path: Path
    count: int = 0
    rows: list[dict[str, Any]] | None = None

    def typed_rows(self) -> Iterator[dict[str, Any]]:
        """The typed rows (None for an empty cell): kept ones, or the file read again."""
        if self.rows is not None:
            return iter(self.rows)
        return (row for _, row, _ in read_rows(self.spec, self.path))


@dataclass
class Validation:
    """The outcome of validating a folder: the files, in load order, and every problem."""

    files: dict[str, ParsedFile]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows(self) -> int:
        return sum(parsed.count for parsed in self.files.values())


def _parse_value(column: Column, text: str) -> Any:
    """The typed value of a non-empty cell; ValueError with a message a user understands."""
    if column.kind == "str":
        return text
    text = text.strip()
    if column.kind == "bool":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"expected true or false, got {text!r}")
        return lowered == "true"
    if column.kind == "date":
        try:
            return date.fromisoformat(text)
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


def _check_bytes(name: str, path: Path) -> Problem | None:
    """A file that is binary or not UTF-8, with the line of the first bad byte; blocks end at a newline."""
    line = 1
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            block += handle.readline()
            if b"\x00" in block:
                at = line + block[: block.index(b"\x00")].count(b"\n")
                return Problem(name, at, "-", "not a CSV file (it holds binary data)")
            try:
                block.decode("utf-8")
            except UnicodeDecodeError as exc:
                at = line + block[: exc.start].count(b"\n")
                return Problem(name, at, "-", f"not UTF-8 (byte 0x{block[exc.start]:02x}); save the file as UTF-8")
            line += block.count(b"\n")
    return None


def _header(spec: FileSpec, reader: Any) -> tuple[list[str] | None, list[Problem]]:
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return None, [Problem(spec.name, 1, "-", f"not valid CSV: {exc}")]
    if not header or not any(h.strip() for h in header):
        return None, [Problem(spec.name, 1, "-", "empty file: expected a header row")]
    header = [h.strip() for h in header]
    problems = [Problem(spec.name, 1, name or "-", f"unknown column (expected: {', '.join(spec.names)})")
                for name in header if name not in spec.names]
    problems += [Problem(spec.name, 1, name, "column appears twice")
                 for name in sorted({h for h in header if header.count(h) > 1})]
    problems += [Problem(spec.name, 1, column.name, "missing required column")
                 for column in spec.columns if column.required and column.name not in header]
    return (None if problems else header), problems


def read_rows(spec: FileSpec, path: Path) -> Iterator[tuple[int, dict[str, Any] | None, list[Problem]]]:
    """Each record of a UTF-8 file as (line it starts on, typed row or None when bad, its problems).

    The header's problems come first, with line 1 and no row; a bad header ends the file.
    Lines are physical lines: a quoted newline inside a record moves the next record down.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        header, problems = _header(spec, reader)
        if problems:
            yield 1, None, problems
        if header is None:
            return
        # Per column: its name, whether it is required, and the column when its text needs parsing.
        plan = [(c.name, c.required, None if c.kind == "str" else c) for c in map(spec.column, header)]
        names = spec.names
        end = 1
        while True:
            start = end + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, None, [Problem(spec.name, start, "-", f"not valid CSV: {exc}")]
                return
            end = reader.line_num
            if not record or record == [""]:
                continue
            if len(record) != len(header):
                message = f"{len(record)} fields where the header has {len(header)}"
                yield start, None, [Problem(spec.name, start, "-", message)]
                continue
            row: dict[str, Any] = dict.fromkeys(names)
            problems = []
            for (name, required, typed), cell in zip(plan, record, strict=True):
                if not cell or cell.isspace():
                    if required:
                        problems.append(Problem(spec.name, start, name, "required value is empty"))
                elif typed is None:
                    row[name] = cell
                else:
                    try:
                        row[name] = _parse_value(typed, cell)
                    except ValueError as exc:
                        problems.append(Problem(spec.name, start, name, str(exc)))
            yield start, (None if problems else row), problems


class _Ids:
    """The ids one file defines, as sorted 64-bit hashes with the line each is on."""

    def __init__(self, hashes: array, lines: array):
        keys = np.frombuffer(hashes, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self.hashes = keys[order]
        self.lines = np.frombuffer(lines, dtype=np.int64)[order]

    def duplicates(self) -> dict[int, int]:
        """Line of each repeated key -> line of its first occurrence."""
        starts = np.r_[True, self.hashes[1:] != self.hashes[:-1]] if self.hashes.size else np.zeros(0, bool)
        first = np.maximum.accumulate(np.where(starts, np.arange(self.hashes.size), 0))
        repeated = np.flatnonzero(~starts)
        return dict(zip(self.lines[repeated].tolist(), self.lines[first[repeated]].tolist(), strict=True))

    def contains(self, values: list[str]) -> np.ndarray:
        """For each value, whether this file defines it."""
        keys = np.fromiter(map(hash, values), dtype=np.int64, count=len(values))
        at = np.minimum(np.searchsorted(self.hashes, keys), max(self.hashes.size - 1, 0))
        return self.hashes[at] == keys if self.hashes.size else np.zeros(len(values), dtype=bool)


EMPTY = _Ids(array("q"), array("q"))


def missing_in_database(db: Database, kind: str, ids: Iterable[str]) -> set[str]:
    """The ids of one kind (person, company, product, order) that the database does not hold."""
    label, key = KIND_KEYS[kind]
    wanted = set(ids)
    asked = sorted(wanted)
    found: set[str] = set()
    for i in range(0, len(asked), CHUNK):
        rows = db.read(f"UNWIND $ids AS id MATCH (n:{label} {{{key}: id}}) RETURN n.{key} AS id",
                       {"ids": asked[i: i + CHUNK]})
        found.update(r["id"] for r in rows)
    return wanted - found


class _Checker:
    """The checks that span files: references, and person and company ids sharing one namespace."""

    def __init__(self, lookup: Lookup | None):
        self.lookup = lookup
        self.defined: dict[str, _Ids] = {}

    def _in_folder(self, kind: str, values: list[str]) -> set[str]:
        here = self.defined.get(kind, EMPTY).contains(values)
        return {v for v, yes in zip(values, here, strict=True) if yes}

    def _in_database(self, kind: str, values: set[str]) -> set[str]:
        if not values or self.lookup is None:
            return set()
        return values - self.lookup(kind, values)

    def chunk(self, spec: FileSpec, rows: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
        """The problems of a chunk of valid rows of one file."""
        problems = []
        if spec.defines in ("person", "company"):
            other = "company" if spec.defines == "person" else "person"
            key = spec.key[0]
            ids = [row[key] for _, row in rows]
            in_folder = self._in_folder(other, ids)  # people.csv comes first: its ids are all known here
            in_db = self._in_database(other, set(ids) - in_folder)
            for line, row in rows:
                if row[key] in in_folder:
                    problems.append(Problem(spec.name, line, key, f"{row[key]} is already a person id in people.csv"))
                elif row[key] in in_db:
                    message = f"{row[key]} is already a {other} id in the database"
                    problems.append(Problem(spec.name, line, key, message))
        for column in spec.columns:
            if column.refers:
                problems += self._references(spec, column, rows)
        return problems

    def _references(self, spec: FileSpec, column: Column, rows: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
        kinds = ("person", "company") if column.refers == "entity" else (column.refers,)
        missing = {row[column.name] for _, row in rows}
        for kind in kinds:
            missing -= self._in_folder(kind, list(missing))
        for kind in kinds:
            missing -= self._in_database(kind, missing)
        if not missing:
            return []
        other = {"person": "company", "company": "person"}.get(column.refers)
        wrong_kind = set()
        if other:
            wrong_kind = self._in_folder(other, list(missing))
            wrong_kind |= self._in_database(other, missing - wrong_kind)
        problems = []
        for line, row in rows:
            value = row[column.name]
            if value not in missing:
                continue
            if value in wrong_kind:
                message = f"{value} is a {other} id, not a {column.refers} id"
            else:
                what = "person or company" if column.refers == "entity" else column.refers
                message = f"unknown {what} id {value!r} (not in this folder nor in the database)"
            problems.append(Problem(spec.name, line, column.name, message))
        return problems


def _scan(spec: FileSpec, path: Path, checker: _Checker, keep: bool,
          progress: Callable[[str, int], None] | None) -> tuple[ParsedFile, list[Problem]]:
    """Check one file chunk by chunk; remember the ids it defines and find its duplicate keys."""
    parsed = ParsedFile(spec, path, rows=[] if keep else None)
    bad = _check_bytes(spec.name, path)
    if bad:
        return parsed, [bad]
    problems: list[Problem] = []
    hashes, lines = array("q"), array("q")
    single = len(spec.key) == 1
    chunk: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        problems.extend(checker.chunk(spec, chunk))
        if progress:
            progress(spec.name, len(chunk))
        chunk.clear()

    for line, row, found in read_rows(spec, path):
        problems.extend(found)
        if row is None:
            continue
        parsed.count += 1
        hashes.append(hash(row[spec.key[0]] if single else tuple(row[k] for k in spec.key)))
        lines.append(line)
        chunk.append((line, row))
        if parsed.rows is not None:
            parsed.rows.append(row)
        if len(chunk) == CHUNK:
            flush()
    flush()
    ids = _Ids(hashes, lines)
    firsts = ids.duplicates()
    if firsts:
        problems += _duplicates(spec, path, firsts)
    if spec.defines:
        checker.defined[spec.defines] = ids
    return parsed, problems


def _duplicates(spec: FileSpec, path: Path, firsts: dict[int, int]) -> list[Problem]:
    """The duplicate-key problems, with the keys read again from the file (errors only).

    Equal hashes are confirmed on the keys themselves, so a hash collision is never reported.
    """
    wanted = set(firsts) | set(firsts.values())
    keys = {line: tuple(row[k] for k in spec.key)
            for line, row, _ in read_rows(spec, path) if row is not None and line in wanted}
    problems = []
    for line, first in sorted(firsts.items()):
        if keys[line] == keys[first]:
            shown = ", ".join(f"{k}={v}" for k, v in zip(spec.key, keys[line], strict=True))
            message = f"duplicate key ({shown}), first on line {first}"
            problems.append(Problem(spec.name, line, spec.key[-1], message))
    return problems


def validate_folder(folder: Path, db: Database | None = None, keep_rows: bool = True,
                    progress: Callable[[str, int], None] | None = None) -> Validation:
    """Check every CSV file of a folder; references may point into `db` when given.

    With ``keep_rows`` the typed rows stay in memory (for a folder that goes away before it is
    loaded, like an upload); without, they are read again from the files when written, so a
    folder of any size loads in flat memory. `progress(file, rows)` follows the checked rows.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return Validation({}, [Problem(str(folder), 0, "-", "not a folder")])
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    problems = [Problem(name, 1, "-", f"unknown file (expected some of: {', '.join(FILES)})")
                for name in present if name not in FILES]
    if not any(name in FILES for name in present):
        problems.append(Problem(str(folder), 0, "-", "no CSV files of the import format in this folder"))
    lookup = (lambda kind, ids: missing_in_database(db, kind, ids)) if db is not None else None
    checker = _Checker(lookup)
    files: dict[str, ParsedFile] = {}
    for name, spec in FILES.items():  # files only refer to kinds defined by files before them
        if name in present:
            files[name], found = _scan(spec, folder / name, checker, keep_rows, progress)
            problems.extend(found)
    order = list(FILES)
    return Validation(files, sorted(problems, key=lambda p: (order.index(p.file) if p.file in order else -1,
                                                               p.line, p.column)))
