"""Connection settings from the environment, with the local server as the default."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from graph.errors import UserError

__all__ = ["DEFAULT_BOLT_PORT", "DEFAULT_PASSWORD", "DEFAULT_ROW_LIMIT", "MAX_QUERY_TIMEOUT", "Settings",
           "settings_from_env", "state_dir"]

DEFAULT_BOLT_PORT = 7687
DEFAULT_PASSWORD = "relgraph-local"  # the local server's default; set NEO4J_PASSWORD for any other
MAX_QUERY_TIMEOUT = 24 * 3600.0  # seconds: a query's timeout is above 0 and at most a day, never "none"
DEFAULT_ROW_LIMIT = 1000  # the most rows a query returns unless asked for more (here, so the CLI reads it fast)


@dataclass(frozen=True)
class Settings:
    uri: str = f"bolt://127.0.0.1:{DEFAULT_BOLT_PORT}"
    user: str = "neo4j"
    password: str = DEFAULT_PASSWORD
    database: str = "neo4j"
    query_timeout: float = 30.0
    allow_writes: bool = False  # whether the app's Cypher console may offer writes (to admins)


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    """Read NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE, RELGRAPH_QUERY_TIMEOUT and RELGRAPH_ALLOW_WRITES.

    Writes from the app's console are off unless the deployment sets RELGRAPH_ALLOW_WRITES to 1
    (or true, yes, on).
    """
    env = os.environ if env is None else env
    default = Settings()
    return Settings(
        uri=env.get("NEO4J_URI") or default.uri,
        user=env.get("NEO4J_USER") or default.user,
        password=env.get("NEO4J_PASSWORD") or default.password,
        database=env.get("NEO4J_DATABASE") or default.database,
        query_timeout=_timeout(env.get("RELGRAPH_QUERY_TIMEOUT"), default.query_timeout),
        allow_writes=env.get("RELGRAPH_ALLOW_WRITES", "").strip().lower() in ("1", "true", "yes", "on"),
    )



def _timeout(text: str | None, default: float) -> float:
    """RELGRAPH_QUERY_TIMEOUT in seconds: a number above 0 (0 must not mean "no timeout") and at most a day."""
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds <= MAX_QUERY_TIMEOUT:
        raise UserError(f"RELGRAPH_QUERY_TIMEOUT must be a number of seconds above 0 and at most "
                        f"{MAX_QUERY_TIMEOUT:,.0f}, got {text!r}")
    return seconds


def state_dir(env: dict[str, str] | None = None) -> Path:
    """Where relgraph keeps what outlives a process but is not graph data (stored analyses, console
    history): ``$RELGRAPH_STATE_DIR``, else ``$XDG_STATE_HOME/relgraph``, else ``~/.local/state/relgraph``.

    Kept out of Neo4j on purpose: a write there would change the data version that every cached
    answer is keyed on. Created on first use, readable by its owner only.
    """
    env = os.environ if env is None else env
    if env.get("RELGRAPH_STATE_DIR"):
        path = Path(env["RELGRAPH_STATE_DIR"])
    else:
        base = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
        path = Path(base) / "relgraph"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
