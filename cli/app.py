"""`relgraph app`: the web app, on loopback unless told otherwise; any other address needs sign-in.

Without sign-in the app's one user is an admin, so it must not listen where other machines reach
it. Sign-in is Streamlit's OpenID Connect, configured by an ``[auth]`` section in the
secrets.toml Streamlit reads: ``.streamlit/secrets.toml`` beside app.py, or
``~/.streamlit/secrets.toml``. In a container the address the app listens on says nothing of who
reaches it; $RELGRAPH_PUBLISHED_ON names the host address its port is published on instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from graph.errors import UserError

__all__ = ["add_parser", "run", "signin_configured"]

ROOT = Path(__file__).resolve().parent.parent
"""Where app.py and the app's own .streamlit/config.toml are: Streamlit runs from here."""
DEFAULT_PORT = 8501
FLAGS = {"port": "--port", "address": "--address"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("app", help="start the web app (on 127.0.0.1 unless told otherwise)",
                            description="Start the web app. It listens on 127.0.0.1 unless --address says otherwise; "
                                        "any other address needs sign-in configured (see the README).")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--address", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 means every interface)")
    parser.set_defaults(handler=run)


def signin_configured(root: Path = ROOT) -> bool:
    """Whether a secrets.toml Streamlit reads from `root` has an ``[auth]`` section with a redirect URI,
    a cookie secret and a client (unnamed, or one ``[auth.NAME]`` provider)."""
    import tomllib  # imported when the command runs, so `relgraph --help` starts at once

    for path in (Path.home() / ".streamlit" / "secrets.toml", root / ".streamlit" / "secrets.toml"):
        try:
            auth = tomllib.loads(path.read_text(encoding="utf-8")).get("auth")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"{path} cannot be read: {exc}") from None
        if not isinstance(auth, dict):
            continue
        clients = [auth, *(value for value in auth.values() if isinstance(value, dict))]
        if auth.get("redirect_uri") and auth.get("cookie_secret") and any(c.get("client_id") for c in clients):
            return True
    return False


def run(args: argparse.Namespace) -> int:
    from graph.access import is_loopback

    if not 0 < args.port < 65536:
        raise UserError(f"{args.port} is not a port number", field="port")
    published = os.environ.get("RELGRAPH_PUBLISHED_ON", "").strip() or args.address
    if not is_loopback(published) and not signin_configured():
        raise UserError(f"refusing to serve {published} without sign-in: add an [auth] section to "
                        f"{ROOT / '.streamlit' / 'secrets.toml'} (see the README, Deploying for a team)",
                        field=None if os.environ.get("RELGRAPH_PUBLISHED_ON") else "address")
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
               "--server.address", args.address, "--server.port", str(args.port),
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml and secrets.toml from the folder it runs in
    sys.stdout.flush()
    os.execv(sys.executable, command)  # the server takes this process's place: signals and exit status are its own
