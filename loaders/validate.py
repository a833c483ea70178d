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
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from graph.store.db import Database
from loaders.csvformat import EARLIEST_DATE, FILES, INDEX_KEY_BYTES, MAX_NUMBER, Column, FileSpec, latest_date

__all__ = ["ParsedFile", "Problem", "Validation", "missing_in_database", "read_rows", "validate_folder"]

CHUNK = 10_000
BLOCK = 1 << 20
MAX_KEPT = 1_000  # problems kept per file (the rest are counted): a file of bad rows cannot fill memory
HEADER_SHOWN = 10  # unknown columns named one by one; the rest are counted in one problem
INTEGER = re.compile(r"[+-]?[0-9]+")
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
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

    def lines_of(self, first: int, last: int) -> tuple[int, int]:
        """The lines on which the file's rows `first` and `last` (0-based, as written) start."""
        lines = [line for line, row, _ in read_rows(self.spec, self.path) if row is not None]
        return lines[first], lines[min(last, len(lines) - 1)]


@dataclass
class Validation:
    """The outcome of validating a folder: the files, in load order, and the problems.

    ``problems`` holds the first :data:`MAX_KEPT` of each file; ``more`` counts the others.
    """

    files: dict[str, ParsedFile]
    problems: list[Problem]
    more: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def errors(self) -> int:
        """How many problems there are in all."""
        return len(self.problems) + self.more

    @property
    def rows(self) -> int:
        return sum(parsed.count for parsed in self.files.values())


def _out_of_range(column: Column, text: str, value: float) -> ValueError | None:
    too_low = column.low is not None and (value <= column.low if column.low_open else value < column.low)
    too_high = column.high is not None and value > column.high
    if not (too_low or too_high):
        return None
    low = "" if column.low is None else ("(" if column.low_open else "[") + f"{column.low:g}"
    high = "" if column.high is None else f"{column.high:g}]"
    return ValueError(f"{text} is out of range {low or '(-inf'}, {high or 'inf)'}")


def _parse_value(column: Column, text: str) -> Any:
    """The typed value of a non-empty cell; ValueError with a message a user understands.

    Numbers are plain ASCII (Python alone would take ``1_0`` and Arabic-Indic digits), finite and
    at most MAX_NUMBER in size; dates are ISO 8601 between EARLIEST_DATE and latest_date().
    """
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
            if not text.isascii():
                raise ValueError
            value = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"expected an ISO 8601 date (YYYY-MM-DD), got {text!r}") from None
        if not EARLIEST_DATE <= value <= latest_date():
            raise ValueError(f"{text} is out of range [{EARLIEST_DATE}, {latest_date()}]")
        return value
    try:
        if not (INTEGER if column.kind == "int" else NUMBER).fullmatch(text):
            raise ValueError
        number: float = int(text) if column.kind == "int" else float(text)
    except ValueError:  # int() also refuses more than 4,300 digits
        raise ValueError(f"expected {'an integer' if column.kind == 'int' else 'a number'}, got {text!r}") from None
    if abs(number) > MAX_NUMBER:
        raise ValueError(f"{text} is out of range: numbers are at most {MAX_NUMBER:.0e} in size")
    out_of_range = _out_of_range(column, text, number)
    if out_of_range:
        raise out_of_range
    return number


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
    """The header and its problems, in time linear in its length (a header may have any number of columns)."""
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return None, [Problem(spec.name, 1, "-", f"not valid CSV: {_csv_error(exc)}")]
    if not header or not any(h.strip() for h in header):
        return None, [Problem(spec.name, 1, "-", "empty file: expected a header row")]
    header = [h.strip() for h in header]
    counts = Counter(header)
    unknown = [name for name in counts if name not in spec.names]
    problems = [Problem(spec.name, 1, name or "-", f"unknown column (expected: {', '.join(spec.names)})")
                for name in unknown[:HEADER_SHOWN]]
    if len(unknown) > HEADER_SHOWN:
        problems.append(Problem(spec.name, 1, "-", f"and {len(unknown) - HEADER_SHOWN:,} more unknown columns"))
    problems += [Problem(spec.name, 1, name, "column appears twice")
                 for name in sorted(name for name in spec.names if counts[name] > 1)]
    problems += [Problem(spec.name, 1, column.name, "missing required column")
                 for column in spec.columns if column.required and column.name not in counts]
    return (None if problems else header), problems


def _csv_error(exc: csv.Error) -> str:
    """The csv module's message, or ours for a cell past its field limit."""
    if "field larger than field limit" in str(exc):
        return f"a value is longer than {csv.field_size_limit():,} characters, the most a cell may hold"
    return str(exc)


def _too_long(text: str) -> str | None:
    """Why an indexed value cannot be stored, or None: Neo4j's range index takes at most INDEX_KEY_BYTES."""
    if len(text) * 4 <= INDEX_KEY_BYTES:  # a character is at most four bytes of UTF-8
        return None
    size = len(text.encode("utf-8"))
    if size <= INDEX_KEY_BYTES:
        return None
    return f"value of {size:,} bytes is too long: ids and indexed values hold at most {INDEX_KEY_BYTES:,} bytes"


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
        # Per column: its name, whether it is required, the column when its text needs parsing, whether indexed.
        plan = [(c.name, c.required, None if c.kind == "str" else c, c.indexed) for c in map(spec.column, header)]
        names = spec.names
        end = 1
        while True:
            start = end + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, None, [Problem(spec.name, start, "-", f"not valid CSV: {_csv_error(exc)}")]
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
            for (name, required, typed, indexed), cell in zip(plan, record, strict=True):
                if not cell or cell.isspace():
                    if required:
                        problems.append(Problem(spec.name, start, name, "required value is empty"))
                elif typed is None:
                    too_long = indexed and _too_long(cell)
                    if too_long:
                        problems.append(Problem(spec.name, start, name, too_long))
                    row[name] = cell
                else:
                    try:
                        row[name] = _parse_value(typed, cell)
                    except ValueError as exc:
                        problems.append(Problem(spec.name, start, name, str(exc)))
            if spec.not_self and not problems:
                one, other, why = spec.not_self
                if row[one] == row[other]:
                    problems.append(Problem(spec.name, start, other, f"{other} is {one} ({row[one]}): {why}"))
            yield start, (None if problems else row), problems


class _Ids:
    """The ids one file defines, as sorted 64-bit hashes with the line each is on."""

    def __init__(self, hashes: array, lines: array):
        keys = np.frombuffer(hashes, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self.hashes = keys[order]
        self.lines = np.frombuffer(lines, dtype=np.int64)[order]

    def duplicates(self) -> tuple[np.ndarray, np.ndarray]:
        """The lines of repeated keys, in order, and the line of each one's first occurrence."""
        starts = np.r_[True, self.hashes[1:] != self.hashes[:-1]] if self.hashes.size else np.zeros(0, bool)
        first = np.maximum.accumulate(np.where(starts, np.arange(self.hashes.size), 0))
        repeated = np.flatnonzero(~starts)
        order = np.argsort(self.lines[repeated], kind="stable")
        return self.lines[repeated][order], self.lines[first[repeated]][order]

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


class _Problems:
    """The first MAX_KEPT problems of a file, and how many there were in all."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.count = 0

    def extend(self, found: list[Problem], count: int | None = None) -> None:
        self.count += len(found) if count is None else count
        room = MAX_KEPT - len(self.kept)
        if room > 0:
            self.kept.extend(found[:room])


def _scan(spec: FileSpec, path: Path, checker: _Checker, keep: bool,
          progress: Callable[[str, int], None] | None) -> tuple[ParsedFile, _Problems]:
    """Check one file chunk by chunk; remember the ids it defines and find its duplicate keys."""
    parsed = ParsedFile(spec, path, rows=[] if keep else None)
    problems = _Problems()
    try:
        bad = _check_bytes(spec.name, path)
    except OSError as exc:
        bad = Problem(spec.name, 1, "-", f"cannot be read ({exc.strerror or exc})")
    if bad:
        problems.extend([bad])
        return parsed, problems
    hashes, lines = array("q"), array("q")
    single = len(spec.key) == 1
    chunk: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        problems.extend(checker.chunk(spec, chunk))
        if progress:
            progress(spec.name, len(chunk))
        chunk.clear()

    for line, row, found in read_rows(spec, path):
        if found:
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
    repeated, firsts = ids.duplicates()
    if repeated.size:
        shown = _duplicates(spec, path, dict(zip(repeated[:MAX_KEPT].tolist(), firsts[:MAX_KEPT].tolist(),
                                                 strict=True)))
        problems.extend(shown, len(shown) + max(repeated.size - MAX_KEPT, 0))
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
    more = 0
    for name, spec in FILES.items():  # files only refer to kinds defined by files before them
        if name in present:
            files[name], found = _scan(spec, folder / name, checker, keep_rows, progress)
            problems.extend(found.kept)
            more += found.count - len(found.kept)
    order = list(FILES)
    return Validation(files, sorted(problems, key=lambda p: (order.index(p.file) if p.file in order else -1,
                                                               p.line, p.column)), more)
