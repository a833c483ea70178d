"""The library of named queries: one ``.cypher`` file each, described by its header comment.

A header names the query, says what it does in one line, and declares every parameter with
its type and, when optional, its default::

    // name: customer_360
    // description: A customer's profile, orders with lines, sellers, warranty and payment
    // param: id: string
    // param: depth: int = 2

Types are ``string``, ``int``, ``float``, ``bool``, ``list`` (of strings, comma-separated on the
command line) and ``fuzzy``: the user's plain text for a full-text search, sent as an escaped
Lucene query, so that nothing a user types is ever Lucene (or Cypher) syntax. A default of
``null`` makes a parameter optional with no value. The header is the single source of truth: the
CLI's ``key=value`` strings and the app's form values are typed by it, and unknown or missing
parameters are refused before anything reaches the server. Errors about a query's parameters are
UserErrors with ``field="params"``, worded without naming any interface.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.errors import UserError

__all__ = ["SEARCH_MAX_CHARS", "SEARCH_MAX_WORDS", "NamedQuery", "Param", "TYPES", "get_query", "load_queries",
           "lucene_fuzzy", "parse_header", "parse_param_args"]

TYPES = ("string", "int", "float", "bool", "list", "fuzzy")
_REQUIRED = object()  # the default of a parameter that has none
_HEADER = re.compile(r"^//\s*(name|description|param):\s*(.*?)\s*$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([a-z]+)\s*(?:=\s*(.*))?$")
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
_INT64 = (-(2**63), 2**63 - 1)
SEARCH_MAX_WORDS = 12  # each word is two fuzzy clauses: Lucene refuses a query past its clause limit
SEARCH_MAX_CHARS = 200


@dataclass(frozen=True)
class Param:
    """One declared parameter: its name, type and default (``required`` when it has none)."""

    name: str
    type: str
    default: Any = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def convert(self, value: Any) -> Any:
        """The value typed for the server: strings are parsed by type, other values checked.

        Raises UserError naming the parameter, the expected type and the value given.
        """
        if isinstance(value, str):
            return self._parse(value)
        if value is None:
            return None
        if self.type == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        expected = {"string": str, "int": int, "float": float, "bool": bool, "list": list, "fuzzy": str}[self.type]
        if isinstance(value, expected) and not (self.type == "int" and isinstance(value, bool)):
            return self._in_range(value)
        raise UserError(f"Parameter {self.name} must be {_article(self.type)}, got {value!r}.", field="params")

    def _parse(self, text: str) -> Any:
        if self.type in ("int", "float"):
            try:
                number = int(text) if self.type == "int" else float(text)
            except ValueError:
                raise UserError(f"Parameter {self.name} must be {_article(self.type)}, got {text!r}.",
                                field="params") from None
            return self._in_range(number)
        if self.type == "bool":
            if text.strip().lower() not in _TRUE | _FALSE:
                raise UserError(f"Parameter {self.name} must be true or false, got {text!r}.", field="params")
            return text.strip().lower() in _TRUE
        if self.type == "list":
            text = text.strip().removeprefix("[").removesuffix("]")
            return [item.strip() for item in text.split(",") if item.strip()]
        if self.type == "fuzzy":
            return lucene_fuzzy(text)
        return text

    def _in_range(self, value: Any) -> Any:
        """`value` itself, unless it is a number Neo4j cannot hold: beyond 64 bits, infinite or not a number."""
        if (self.type == "int" and isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]) or (
                self.type == "float" and isinstance(value, float) and not math.isfinite(value)):
            raise UserError(f"Parameter {self.name} is out of range: {value!r} (integers have 64 bits, numbers "
                            "must be finite).", field="params")
        return value

    def describe(self) -> str:
        """``name: type`` or ``name: type = default``, as in the header."""
        if self.required:
            return f"{self.name}: {self.type}"
        default = "null" if self.default is None else self.default
        return f"{self.name}: {self.type} = {default}"


def _article(type_name: str) -> str:
    return {"int": "an integer", "float": "a number", "bool": "true or false",
            "list": "a list of strings"}.get(type_name, "a string")


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library: its name, one-line description, parameters and Cypher text."""

    name: str
    description: str
    params: tuple[Param, ...]
    text: str

    def bind(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters to send: ``values`` typed by the header, defaults filled in.

        Raises UserError for an unknown parameter, a missing required one or a badly typed value.
        """
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            raise UserError(f"Query {self.name} has no parameter {', '.join(unknown)}; "
                            f"its parameters: {self.signature() or 'none'}.", field="params")
        missing = [p.name for p in self.params if p.required and p.name not in values]
        if missing:
            raise UserError(f"Query {self.name} needs a value for {', '.join(missing)} ({self.signature()}).",
                            field="params")
        return {p.name: p.convert(values[p.name]) if p.name in values else p.default for p in self.params}

    def signature(self) -> str:
        """The parameters as the header declares them, comma-separated."""
        return ", ".join(p.describe() for p in self.params)


def lucene_fuzzy(text: str) -> str:
    """A Lucene query matching names that contain each word of ``text`` by prefix or with a typo.

    Each word is lower-cased (so AND, OR and NOT stay words) and its special characters are
    escaped; it then matches as a prefix (``word*``) or within one edit, two for words of five
    letters or more (``word~1``, ``word~``). Words are combined with AND.
    """
    words = text.lower().split()
    if not words:
        raise UserError("The search text is empty: type part of a name.")
    if len(words) > SEARCH_MAX_WORDS or len(text) > SEARCH_MAX_CHARS:
        raise UserError(f"The search text is too long: at most {SEARCH_MAX_WORDS} words and {SEARCH_MAX_CHARS} "
                        "characters (a name, or part of one).")
    terms = []
    for word in words:
        escaped = _LUCENE_SPECIAL.sub(r"\\\1", word)
        terms.append(f"({escaped}* OR {escaped}~{1 if len(word) < 5 else 2})")
    return " AND ".join(terms)


def parse_header(name: str, text: str) -> NamedQuery:
    """The NamedQuery of one file's text; ValueError when the header is incomplete or wrong.

    Only the leading ``//`` lines are the header; lines without a known key are notes.
    """
    fields: dict[str, str] = {}
    params: list[Param] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        match = _HEADER.match(line)
        if match is None:
            continue
        key, value = match.groups()
        if key == "param":
            params.append(_parse_param(name, value))
        else:
            fields[key] = value
    if fields.get("name") != name or not fields.get("description"):
        raise ValueError(f"queries/{name}.cypher: the header needs '// name: {name}' and '// description: ...'")
    return NamedQuery(name=name, description=fields["description"], params=tuple(params), text=text)


def _parse_param(query: str, declaration: str) -> Param:
    match = _PARAM.match(declaration)
    if match is None or match.group(2) not in TYPES:
        raise ValueError(f"queries/{query}.cypher: bad parameter {declaration!r}; "
                         f"expected 'name: type [= default]' with a type among {', '.join(TYPES)}")
    name, type_name, default = match.groups()
    if default is None:
        return Param(name, type_name)
    param = Param(name, type_name)
    return Param(name, type_name, None if default == "null" else param.convert(default))


@functools.cache
def load_queries() -> dict[str, NamedQuery]:
    """Every named query shipped in this package, by name, in name order."""
    files = sorted((f for f in importlib.resources.files("queries").iterdir() if f.name.endswith(".cypher")),
                   key=lambda f: f.name)
    queries = (parse_header(f.name.removesuffix(".cypher"), f.read_text(encoding="utf-8")) for f in files)
    return {q.name: q for q in queries}


def get_query(name: str) -> NamedQuery:
    """The named query; UserError listing the names when there is none by that name."""
    queries = load_queries()
    if name not in queries:
        raise UserError(f"No named query {name!r}. Known queries: {', '.join(queries)}.")
    return queries[name]


def parse_param_args(pairs: list[str]) -> dict[str, str]:
    """``["key=value", ...]`` (from the command line) as a dict; UserError for a malformed or repeated key."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"A parameter is written key=value, got {pair!r}.", field="params")
        if key in values:
            raise UserError(f"Parameter {key} is given twice.", field="params")
        values[key] = value
    return values
