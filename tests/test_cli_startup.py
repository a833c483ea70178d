"""The CLI starts at once: building its parser imports no heavy library, and no command imports pandas."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

HEAVY = ("neo4j", "numpy", "networkx", "scipy", "pandas", "pyarrow", "streamlit", "tqdm", "tomllib", "queries.registry")


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_building_the_parser_imports_no_heavy_library():
    loaded = run_python(
        "import sys\n"
        "from cli.main import build_parser\n"
        "build_parser().format_help()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    assert loaded == "[]"


def test_the_console_script_keeps_the_driver_from_importing_pandas():
    loaded = run_python(
        "import sys\n"
        "from cli import main\n"
        "sys.argv = ['relgraph', 'query', '--list', '--json']\n"
        "try:\n"
        "    main.console()\n"
        "except SystemExit:\n"
        "    pass\n"
        "import graph.store.db  # the driver, as every command that connects imports it\n"
        "print(sorted(m for m in ('pandas', 'pyarrow') if sys.modules.get(m) is not None))\n")
    assert loaded.splitlines()[-1] == "[]"
