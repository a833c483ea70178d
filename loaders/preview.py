"""What loading a validated folder would change: per file, new records and existing ones it would overwrite.

A load MERGEs on keys and sets the file's values, so a row whose key is already in the database
overwrites that record. For each file that defines nodes (people, companies, products, orders,
interactions) the preview counts the rows whose key is new, and among the others those whose
values differ from what the database holds (a value the record lacks counts as a change; an empty
cell changes nothing, since a load never removes a value). Files of relationships are counted,
not split: their rows add links, or update the properties of links already there.
It costs one read of the files and one keyed lookup per row, in batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

from graph.store.db import Database
from graph.store.schema import NODE_KEYS
from loaders.csvformat import FileSpec, camel
from loaders.validate import Validation
from loaders.writer import BATCH_SIZE, FILE_ELEMENT

__all__ = ["FileChanges", "preview"]

# The label and key come from the data model's whitelist (FILE_ELEMENT, NODE_KEYS), never from input.
_EXISTING = """
UNWIND $rows AS row
MATCH (n:{label} {{{key}: row.key}})
RETURN count(n) AS existing,
       count(CASE WHEN any(k IN keys(row.props) WHERE n[k] IS NULL OR n[k] <> row.props[k]) THEN 1 END) AS changed
"""


@dataclass(frozen=True)
class FileChanges:
    """What one file of a load would do: ``new`` and ``changed`` are None for a file of relationships."""

    file: str
    element: str  # the label or relationship type its rows become
    rows: int
    new: int | None = None
    changed: int | None = None

    @property
    def unchanged(self) -> int | None:
        return None if self.new is None or self.changed is None else self.rows - self.new - self.changed


def _key_and_props(spec: FileSpec, row: dict[str, Any]) -> dict[str, Any]:
    """A node file's row as the writer sets it: the key, and the values that are properties (references aside)."""
    key = spec.key[0]
    props = {camel(c.name): row[c.name] for c in spec.columns
             if c.name != key and c.refers is None and row.get(c.name) is not None}
    return {"key": row[key], "props": props}


def _file_changes(db: Database, name: str, validation: Validation) -> FileChanges:
    parsed = validation.files[name]
    element = FILE_ELEMENT[name]
    if not parsed.spec.defines:
        return FileChanges(name, element, parsed.count)
    query = _EXISTING.format(label=element, key=NODE_KEYS[element])
    rows = parsed.typed_rows()
    existing = changed = 0
    while batch := [_key_and_props(parsed.spec, row) for row in islice(rows, BATCH_SIZE)]:
        found = db.read(query, {"rows": batch})[0]
        existing += found["existing"]
        changed += found["changed"]
    return FileChanges(name, element, parsed.count, new=parsed.count - existing, changed=changed)


def preview(db: Database, validation: Validation) -> list[FileChanges]:
    """Per file of a folder that validated, in load order: rows, and for node files how many are new and how
    many existing records the load would change."""
    return [_file_changes(db, name, validation) for name in validation.files]
