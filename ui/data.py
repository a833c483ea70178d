"""Data page: load the demo or your own CSV files, and see the schema and what the graph holds.

Uploads go through the same validation as `relgraph load csv`: the whole set of files is checked
before anything is written, and only a valid set can be loaded. The files are copied to a folder
of the session's and validated and loaded from there, a chunk of rows at a time, so no upload is
held as parsed rows. Loads take the same load lock as the CLI: while another load runs, the page
says whose it is. Every page's answers are keyed on the data version, so every page shows the new
data after a load.

Loads are the admin's, checked on the server. A valid upload is previewed first (per file, new
records and existing ones it would change, see loaders.preview); overwriting existing records
needs a tick to confirm, and the load checks under the load lock that the preview still holds,
so what is written is what was confirmed. The demo loads only into an empty database. Every load
is recorded in the audit trail, which admins read at the bottom of the page.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from graph import audit
from graph.access import Action, User
from graph.errors import UserError
from graph.store.db import Database
from loaders.load import InvalidFolder, LoadInterrupted, load_demo, load_folder
from loaders.lock import LoadLockBusy, current_load
from loaders.preview import FileChanges, preview
from loaders.validate import Problem, Validation, validate_folder
from loaders.writer import LoadSummary
from queries.schema_info import SchemaOverview
from queries.stats import GraphCounts, is_empty
from ui import data_access
from ui.auth import require_action
from ui.common import analysis_caption, neo4j_guard
from ui.widgets import md_text

DONE = "data-done"  # the message of the last load, shown once after the rerun that refreshes the page
UPLOAD = "data-upload"  # (file ids, their folder, its validation) of the current upload
PREVIEW = "data-preview"  # (file ids, what loading them would change) of the current upload
AUDIT_SHOWN = 1_000  # the newest entries the audit section lists
# The largest file an upload takes, in MB; the server enforces the same in .streamlit/config.toml
# (server.maxUploadSize). Bigger folders load with `relgraph load csv DIR`, in flat memory.
MAX_UPLOAD_MB = 100


class _ProgressBar:
    """A progress bar fed by the loaders' callbacks: ``total(rows)`` once, ``progress(file, rows)`` per batch."""

    def __init__(self, label: str, total: int = 0):
        self.label, self.total_rows, self.written = label, total, 0
        self.bar = st.progress(0.0, text=label)

    def total(self, rows: int) -> None:
        self.total_rows = rows

    def __call__(self, file: str, rows: int) -> None:
        self.written += rows
        done = min(self.written / self.total_rows, 1.0) if self.total_rows else 1.0
        self.bar.progress(done, text=f"{self.label} {file}: {self.written:,} of {self.total_rows:,} rows")


def _with_progress(label: str, load: Callable[[_ProgressBar], object], done: str, total: int = 0,
                   after: Callable[[], None] | None = None) -> None:
    """Run `load(bar)` under a progress bar, then `after()`, then show the new data with the message `done` once.

    Every page's answers are keyed on the data version, which the load changed: nothing to clear;
    the new data is analysed at once (graph.results), so the other pages find it ready.
    A load that could not run, or stopped, says why instead.
    """
    try:
        load(_ProgressBar(label, total))
    except InvalidFolder as exc:  # the database changed since the files were checked
        _show_problems(exc.validation)
        return
    except UserError as exc:  # another load holds the lock, or Neo4j refused rows
        st.error(md_text(exc), icon=":material/error:")
        return
    except LoadInterrupted as exc:
        st.error(f"The load stopped midway: {md_text(exc)}", icon=":material/error:")
        return
    if after is not None:
        after()
    st.session_state[DONE] = done
    st.rerun()


def _running_load(db: Database) -> None:
    holder = current_load(db)
    if holder is not None:
        st.info(f"A load is running: {md_text(holder)}. Loading here must wait until it has finished.",
                icon=":material/hourglass_top:")


class _Refused(UserError):
    """A load refused under the load lock, before it wrote anything."""


def _audited_load(db: Database, user: User, what: str, load: Callable[[], LoadSummary]) -> None:
    """Run `load` and record it in the audit trail; a load refused before it wrote anything leaves no entry."""
    with audit.recorded(db, user, "app", Action.LOAD, what,
                        unchanged=(InvalidFolder, LoadLockBusy, _Refused)) as counters:
        summary = load()
        counters.update(rows=sum(summary.rows.values()), nodes_created=summary.nodes_created,
                        relationships_created=summary.relationships_created)


_NOT_EMPTY = ("The database already holds data: the demo loads only into an empty database, so that its made-up "
              "customers never mix with real ones (`relgraph db wipe --yes` empties it).")


def _demo_section(db: Database, user: User) -> None:
    st.subheader("Demo data")
    st.caption("John Smith's laptop from ABC Electronics, XYZ Manufacturing's steel from ABC Steel Suppliers, and "
               "hundreds of customers, suppliers and referrals around them, into an empty database.")
    if not is_empty(db):
        st.caption(_NOT_EMPTY)
    if not st.button("Load the demo data", icon=":material/download:", key="data-demo"):
        return

    def load(bar: _ProgressBar) -> None:
        def still_empty(rows: int) -> None:  # checked under the load lock, just before writing
            if not is_empty(db):
                raise _Refused(_NOT_EMPTY)
            bar.total(rows)

        what = "the demo data set"
        _audited_load(db, user, what, lambda: load_demo(db, bar, total=still_empty, what=f"{what}, from the Data page"))

    _with_progress("Loading the demo data…", load, "Loaded the demo data.")


def _checked_upload(db: Database, files: list[UploadedFile]) -> tuple[Path, Validation]:
    """The uploaded files copied to a folder of this session's and checked, once per set of files.

    The folder lives as long as the upload: a new upload, a load or the session's end removes it.
    """
    ids = tuple(file.file_id for file in files)
    saved = st.session_state.get(UPLOAD)
    if saved is None or saved[0] != ids:
        folder = tempfile.TemporaryDirectory(prefix="relgraph-upload-")
        for file in files:
            file.seek(0)
            with open(Path(folder.name) / Path(file.name).name, "wb") as out:
                shutil.copyfileobj(file, out)
        with st.spinner("Checking the files…"):
            saved = (ids, folder, validate_folder(Path(folder.name), db, keep_rows=False))
        st.session_state[UPLOAD] = saved
    return Path(saved[1].name), saved[2]


def _changes(db: Database, ids: tuple[str, ...], validation: Validation) -> list[FileChanges]:
    """What loading the upload would change, worked out once per upload (and again once it went out of date)."""
    saved = st.session_state.get(PREVIEW)
    if saved is None or saved[0] != ids:
        with st.spinner("Comparing the files with the database…"):
            saved = (ids, preview(db, validation))
        st.session_state[PREVIEW] = saved
    return saved[1]


def _show_changes(changes: list[FileChanges]) -> None:
    blank = lambda n: "" if n is None else f"{n:,}"  # noqa: E731
    st.dataframe(pd.DataFrame([{"file": c.file, "becomes": c.element, "rows": c.rows, "new": blank(c.new),
                                "changed": blank(c.changed), "unchanged": blank(c.unchanged)} for c in changes]),
                 hide_index=True, width="stretch")
    st.caption("new: keys not in the database yet; changed: records already there whose values the load "
               "overwrites; rows of relationship files add links or update the ones already there.")


def _upload_section(db: Database, user: User) -> None:
    st.subheader("Your CSV files")
    st.caption("people.csv, companies.csv, products.csv, orders.csv, order_lines.csv, supplies.csv, makes.csv, "
               "components.csv, referrals.csv, employment.csv, accounts.csv, interactions.csv: any of them, in "
               f"the format of the README, up to {MAX_UPLOAD_MB} MB each (load bigger folders with "
               "`relgraph load csv`). The files are checked together before anything is written.")
    key = f"data-upload-{st.session_state.get('data-upload-round', 0)}"
    files = st.file_uploader("CSV files", type="csv", accept_multiple_files=True, key=key,
                             max_upload_size=MAX_UPLOAD_MB)
    if not files:
        st.session_state.pop(UPLOAD, None)
        return
    folder, validation = _checked_upload(db, files)
    if validation.problems:
        _show_problems(validation)
        return
    names = ", ".join(validation.files)
    rows = validation.rows
    st.success(f"{md_text(names)}: {rows:,} rows, no problems found.", icon=":material/check_circle:")
    ids = tuple(file.file_id for file in files)
    changes = _changes(db, ids, validation)
    _show_changes(changes)
    changed = sum(c.changed or 0 for c in changes)
    confirm = f"data-overwrite-{hash((ids, tuple(changes)))}"  # a new preview needs a new tick
    if changed:
        st.warning(f"Loading overwrites {changed:,} existing record{'s' if changed != 1 else ''} with the files' "
                   "values.", icon=":material/warning:")
        st.checkbox(f"Overwrite {changed:,} existing record{'s' if changed != 1 else ''}", key=confirm)
    # Until the tick, the button is disabled, and Streamlit's server drops any click on a disabled widget.
    if not st.button(f"Load {len(files)} file{'s' if len(files) != 1 else ''}", type="primary", key="data-load",
                     disabled=bool(changed) and not st.session_state.get(confirm)):
        return

    def load(bar: _ProgressBar) -> None:
        def as_previewed(total: int) -> None:  # under the load lock, just before writing
            if preview(db, validation) != changes:
                st.session_state.pop(PREVIEW, None)
                raise _Refused("The database changed since the preview, so nothing was written: check the new "
                               "preview and confirm again.")
            bar.total(total)

        what = f"an upload of {names}"
        _audited_load(db, user, what, lambda: load_folder(db, folder, what=f"{what} on the Data page",
                                                          total=as_previewed, progress=bar))

    _with_progress("Loading…", load, f"Loaded {names}.", rows, after=_clear_upload)


def _clear_upload() -> None:
    """Empty the uploader (a new key) and drop the folder of the loaded files."""
    st.session_state["data-upload-round"] = st.session_state.get("data-upload-round", 0) + 1
    st.session_state.pop(PREVIEW, None)
    saved = st.session_state.pop(UPLOAD, None)
    if saved is not None:
        saved[1].cleanup()


def _show_problems(validation: Validation) -> None:
    """The problems as `relgraph load csv` prints them (FILE:LINE: COLUMN: message), and that nothing was written."""
    problems: list[Problem] = validation.problems
    shown = "" if validation.more == 0 else f" (the first {len(problems):,} of each file are listed)"
    st.error(f"{validation.errors:,} problem{'s' if validation.errors != 1 else ''} found{shown}, so nothing was "
             "written. Fix the files and upload them again.", icon=":material/error:")
    st.dataframe(pd.DataFrame({"where": [f"{p.file}:{p.line}: {p.column}" for p in problems],
                               "problem": [p.message for p in problems]}), hide_index=True, width="stretch")
    st.download_button("Download the report", "\n".join(map(str, problems)) + "\n", file_name="problems.txt",
                       mime="text/plain", icon=":material/download:", on_click="ignore")


def _full_height(rows: int) -> int:
    """The height in pixels at which a table shows `rows` rows without scrolling."""
    return 35 * (rows + 1) + 3


def _counts_section(counts: GraphCounts) -> None:
    st.subheader("What the graph holds")
    labels, rels = counts["labels"], counts["relationships"]
    left, right = st.columns(2)
    left.dataframe(pd.DataFrame({"label": list(labels), "nodes": list(labels.values())}),
                   hide_index=True, width="stretch", height=_full_height(len(labels)))
    right.dataframe(pd.DataFrame({"relationship": list(rels), "count": list(rels.values())}),
                    hide_index=True, width="stretch", height=_full_height(len(rels)))


def _schema_section(schema: SchemaOverview) -> None:
    st.subheader("Schema")
    st.caption("One uniqueness constraint per node key (so that loading merges instead of duplicating) and the "
               "indexes behind search. An index that is not ONLINE is still being built.")
    st.markdown("**Constraints**")
    st.dataframe(pd.DataFrame(schema.constraints), hide_index=True, width="stretch",
                 height=_full_height(len(schema.constraints)))
    st.markdown("**Indexes**")
    populated = st.column_config.ProgressColumn("populated", format="%.0f%%", min_value=0, max_value=100)
    st.dataframe(pd.DataFrame(schema.indexes), hide_index=True, width="stretch",
                 height=_full_height(len(schema.indexes)), column_config={"populationPercent": populated})


def _audit_section(db: Database) -> None:
    """The audit trail, newest first, from a date on; the page shows it to admins only."""
    st.subheader("Audit trail")
    st.caption("Every write, load and wipe, from this app and from the command line (`relgraph audit`), newest "
               "first; times in UTC.")
    since = st.date_input("Since", value=None, key="data-audit-since", format="YYYY-MM-DD")
    found = audit.entries(db, datetime.combine(since, time(), UTC) if since else None, limit=AUDIT_SHOWN)
    for problem in audit.verify(db):
        st.error(f"The audit trail was altered outside relgraph: {md_text(problem)}.", icon=":material/gpp_bad:")
    if not found:
        st.caption("No entries since then." if since else "No entries yet.")
        return
    if len(found) == AUDIT_SHOWN:
        st.caption(f"The newest {AUDIT_SHOWN:,} entries; choose a later date, or run `relgraph audit`, for others.")
    st.dataframe(pd.DataFrame([{"at": f"{e.at:%Y-%m-%d %H:%M:%S}", "who": e.who, "via": e.via, "action": e.action,
                                "ok": e.ok, "what": e.what,
                                "changes": ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in e.counters.items()),
                                "error": e.error or ""} for e in found]),
                 hide_index=True, width="stretch")


def render() -> None:
    st.title("Data")
    user = require_action(Action.LOAD)  # on the server: loads are the admin's, whatever the navigation offers
    st.caption("Load the demo data or your own CSV files, and see the schema and what the graph holds.")
    with neo4j_guard():
        db = data_access.database()
        counts, schema = data_access.counts(), data_access.schema()
        if DONE in st.session_state:
            st.success(st.session_state.pop(DONE), icon=":material/check_circle:")
        _running_load(db)
        left, right = st.columns(2, gap="large")
        with left:
            _demo_section(db, user)
        with right:
            _upload_section(db, user)
    _counts_section(counts)
    with neo4j_guard():
        analysis_caption()
    _schema_section(schema)
    with neo4j_guard():
        _audit_section(db)


render()
