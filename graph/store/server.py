"""A local Neo4j Community server, assembled from Maven Central jars and run on the machine's Java.

No Docker is needed: `mvn dependency:copy-dependencies` on the pom shipped beside this module
fetches the server's jars once into a cache; each server *home* (conf/, data/, logs/, run/) is a
separate server, so tests and benchmarks run their own throwaway server beside the user's.
The server listens on 127.0.0.1 only, with auth on, HTTP off, and a transaction timeout set; its
memory is bounded as a whole (heap, page cache, transactions, direct memory, metaspace; see Memory).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable

from graph.errors import UserError

__all__ = [
    "NEO4J_VERSION", "Memory", "ServerStatus", "default_home", "ensure_jars", "jar_cache", "parse_size",
    "server_command", "start", "status", "stop",
]

NEO4J_VERSION = "5.26.30"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
START_TIMEOUT_S = 180

# The flags the Neo4j 5.26 distribution puts in server.jvm.additional.
JVM_FLAGS = [
    "-XX:+UseG1GC", "-XX:-OmitStackTraceInFastThrow", "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions", "-XX:+TrustFinalNonStaticFields", "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024", "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048", "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256", "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
]


def _data_root() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "relgraph"


def default_home() -> Path:
    """Where `relgraph db start` keeps the user's server: $RELGRAPH_NEO4J_HOME or a per-user folder."""
    return Path(os.environ.get("RELGRAPH_NEO4J_HOME") or _data_root() / "neo4j")


def jar_cache() -> Path:
    """Where the server's jars are cached: $RELGRAPH_CACHE or ~/.cache/relgraph, one folder a version."""
    root = Path(os.environ.get("RELGRAPH_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                / "relgraph")
    return root / f"neo4j-{NEO4J_VERSION}" / "lib"


def java_executable() -> str:
    """The Java 17+ to run on: $JAVA_HOME/bin/java, else `java` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise UserError("no Java found: install Java 17 (e.g. apt-get install openjdk-17-jre-headless) "
                        "or set JAVA_HOME")
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', out)
    if not match or int(match.group(1)) < 17:
        raise UserError(f"{java} is not Java 17 or newer (it says: {out.splitlines()[0] if out else '?'}); "
                        "set JAVA_HOME to a Java 17 or 21")
    return java


def ensure_jars(quiet: bool = False) -> Path:
    """Fetch the server's jars from Maven Central into the cache once; return the folder."""
    lib = jar_cache()
    marker = lib / ".complete"
    if marker.exists():
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise UserError("Maven (mvn) not found: install it (apt-get install maven) to fetch the Neo4j jars")
    lib.mkdir(parents=True, exist_ok=True)
    with resources.as_file(resources.files("graph.store") / "neo4j-server.pom.xml") as pom:
        if not quiet:
            print(f"Fetching Neo4j {NEO4J_VERSION} jars from Maven Central into {lib} ...", file=sys.stderr)
        done = subprocess.run(
            [mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
             f"-DoutputDirectory={lib}", "-DincludeScope=runtime", "-Dmdep.overWriteIfNewer=true"],
            capture_output=True, text=True,
        )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise UserError(f"mvn could not fetch the Neo4j jars:\n{tail}")
    marker.touch()
    return lib


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    home: Path
    uri: str
    pid: int | None = None
    version: str | None = None
    note: str = ""


def _pid_file(home: Path) -> Path:
    return home / "run" / "relgraph-neo4j.pid"


def _port_file(home: Path) -> Path:
    return home / "run" / "relgraph-neo4j.port"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _our_pid(home: Path) -> int | None:
    """The pid of the server this home started, if it is still alive.

    The pid file alone proves nothing once its process is gone: the pid may now be another
    process's, even another home's Neo4j. So the process must be Neo4j's entry point started with
    this very home (``--home-dir=HOME`` is one argument of its command line).
    """
    try:
        pid = int(_pid_file(home).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if not _alive(pid):
        return None
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    if ENTRY_POINT.encode() not in arguments or f"--home-dir={home}".encode() not in arguments:
        return None
    return pid


def _recorded_port(home: Path) -> int | None:
    try:
        return int(_port_file(home).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


_SIZE = re.compile(r"(\d+)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def parse_size(text: str, variable: str) -> int:
    """Bytes in a size such as ``512m``, ``1g`` or ``1GiB`` (binary units, as Java and Neo4j read them).

    Examples
    --------
    >>> parse_size("1g", "RELGRAPH_NEO4J_HEAP"), parse_size("512M", "X"), parse_size("64MiB", "X")
    (1073741824, 536870912, 67108864)
    >>> parse_size("lots", "RELGRAPH_NEO4J_HEAP")
    Traceback (most recent call last):
    ...
    graph.errors.UserError: RELGRAPH_NEO4J_HEAP=lots is not a size: write it as 512m or 2g
    """
    match = _SIZE.fullmatch(text.strip())
    if not match:
        raise UserError(f"{variable}={text} is not a size: write it as 512m or 2g")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _mib(size: int) -> str:
    """A size in whole MiB as Java and neo4j.conf both read it (``512m``)."""
    return f"{size // 2**20}m"


@dataclass(frozen=True)
class Memory:
    """What the local server may use, in bytes; all of it bounded, most of it derived from the heap.

    RSS ~ heap + page cache + direct + metaspace + code cache (the JVM's own 240 MB bound) + GC
    structures (about a tenth of the heap) + threads and malloc; see the README, "Memory".
    """

    heap: int
    pagecache: int
    tx_total: int
    tx_each: int
    direct: int
    metaspace: int = 256 * 2**20

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Memory:
        """The heap and page cache from RELGRAPH_NEO4J_HEAP / _PAGECACHE, the rest derived from the heap.

        Transactions may use half the heap together and a quarter of it each
        (RELGRAPH_NEO4J_TX_MEMORY / _TX_MEMORY_EACH), never more than the heap holds: Neo4j then
        fails the one transaction that asks for too much instead of the whole JVM running out of
        heap. Direct memory (Bolt's network and result buffers) may grow as large as the heap, the
        JVM's own default made explicit (RELGRAPH_NEO4J_DIRECT_MEMORY): it stays small in use, but a
        large result asks for 124 MB at once, which a quarter of a 1 GB heap refused.

        Examples
        --------
        >>> m = Memory.from_environment({})
        >>> [_mib(x) for x in (m.heap, m.pagecache, m.tx_total, m.tx_each, m.direct)]
        ['1024m', '512m', '512m', '256m', '1024m']
        >>> _mib(Memory.from_environment({"RELGRAPH_NEO4J_HEAP": "4g"}).tx_total)
        '2048m'
        >>> Memory.from_environment({"RELGRAPH_NEO4J_TX_MEMORY": "2g"})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.UserError: RELGRAPH_NEO4J_TX_MEMORY=2g does not fit in the heap (1024m): ...
        """
        env = os.environ if environ is None else environ

        def size(variable: str, default: int) -> int:
            text = env.get(variable)
            return default if not text else parse_size(text, variable)

        heap = size("RELGRAPH_NEO4J_HEAP", 2**30)
        tx_total = size("RELGRAPH_NEO4J_TX_MEMORY", heap // 2)
        tx_each = size("RELGRAPH_NEO4J_TX_MEMORY_EACH", min(heap // 4, tx_total))
        if tx_total >= heap:
            raise UserError(f"RELGRAPH_NEO4J_TX_MEMORY={env['RELGRAPH_NEO4J_TX_MEMORY']} does not fit in the heap "
                            f"({_mib(heap)}): transactions must leave the server room; raise "
                            "RELGRAPH_NEO4J_HEAP or lower it (default: half the heap)")
        if tx_each > tx_total:
            raise UserError(f"RELGRAPH_NEO4J_TX_MEMORY_EACH={env['RELGRAPH_NEO4J_TX_MEMORY_EACH']} is more than "
                            f"all transactions together may use ({_mib(tx_total)}, RELGRAPH_NEO4J_TX_MEMORY)")
        return cls(heap=heap, pagecache=size("RELGRAPH_NEO4J_PAGECACHE", 512 * 2**20), tx_total=tx_total,
                   tx_each=tx_each, direct=size("RELGRAPH_NEO4J_DIRECT_MEMORY", heap))

    def jvm_flags(self) -> list[str]:
        """The JVM options that bound it: the JVM reads no heap size from neo4j.conf (only Neo4j's
        own launcher turns ``server.memory.heap.*`` into ``-Xmx``), so without them it takes a
        quarter of the machine's RAM."""
        return [f"-Xms{_mib(self.heap)}", f"-Xmx{_mib(self.heap)}", f"-XX:MaxDirectMemorySize={_mib(self.direct)}",
                f"-XX:MaxMetaspaceSize={_mib(self.metaspace)}"]


JVM_ENVIRONMENT = {"MALLOC_ARENA_MAX": "2"}
"""glibc's malloc otherwise keeps up to 8 arenas a core, each holding freed memory for later."""


def _config(port: int, memory: Memory) -> str:
    return f"""# Written by relgraph on every start; edit RELGRAPH_NEO4J_* variables instead.
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:{port}
server.bolt.advertised_address=127.0.0.1:{port}
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=true
dbms.usage_report.enabled=false
# For the record: the JVM gets the heap as -Xms/-Xmx on its command line (see the process's arguments).
server.memory.heap.initial_size={_mib(memory.heap)}
server.memory.heap.max_size={_mib(memory.heap)}
server.memory.pagecache.size={_mib(memory.pagecache)}
db.transaction.timeout={os.environ.get("RELGRAPH_NEO4J_TX_TIMEOUT", "300s")}
# Timed-out transactions are noticed within half a second, not the default two.
db.transaction.monitor.check.interval=500ms
# Inside the heap: a transaction over its cap fails alone, before the JVM runs out of heap.
db.memory.transaction.total.max={_mib(memory.tx_total)}
db.memory.transaction.max={_mib(memory.tx_each)}
db.logs.query.enabled=OFF
# LOAD CSV may read only from <home>/import, as in the Neo4j distribution's own neo4j.conf,
# and never from the network: every address is blocked for it (Community has no LOAD privilege).
server.directories.import=import
internal.dbms.cypher_ip_blocklist=0.0.0.0/0,::/0
server.logs.gc.enabled=false
# Bolt's network threads otherwise idle 5 s each before stopping: a stop would take 10 s longer.
internal.dbms.bolt.netty_server_shutdown_quiet_period=0
"""


def server_command(java: str, lib: Path, home: Path, memory: Memory) -> list[str]:
    """The command line of the server's JVM: Neo4j's flags, the memory bounds, the entry point."""
    return [java, *JVM_FLAGS, *memory.jvm_flags(), "-cp", f"{lib}/*", ENTRY_POINT, f"--home-dir={home}",
            f"--config-dir={home / 'conf'}"]


def _check_auth(port: int, password: str) -> str:
    """Connect as neo4j and return the server version; AuthError if the password is wrong."""
    with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", password)) as driver:
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                                             database_="system", routing_="r")
        return records[0]["v"]


def _wait_for_bolt(process: subprocess.Popen, port: int, password: str, log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise UserError(f"Neo4j exited while starting (status {process.returncode}); "
                            f"last lines of {log}:\n{_tail(log)}")
        if _port_answers(port):
            try:
                return _check_auth(port, password)
            except ServiceUnavailable:
                pass
        time.sleep(0.2)
    raise UserError(f"Neo4j did not answer on port {port} within {START_TIMEOUT_S} s; see {log}")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except FileNotFoundError:
        text = ""
    free = shutil.disk_usage(path.parent).free if path.parent.exists() else 0
    if not text:  # a server that wrote no log at all: most often a full disk
        return f"(the log is empty; {free / 2**20:,.0f} MB are free there: is the disk full?)"
    return "\n".join(text.splitlines()[-lines:])


MIN_FREE_BYTES = 200 * 2**20
"""Free space a home needs before a start: Neo4j writes its store, transaction logs and logs there."""


def check_free_space(home: Path, free: int) -> None:
    """Refuse a start in `home` with less than MIN_FREE_BYTES free there (Neo4j then fails without a log).

    Examples
    --------
    >>> check_free_space(Path("/srv/neo4j"), 10 * 2**30)
    >>> check_free_space(Path("/srv/neo4j"), 5 * 2**20)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.UserError: only 5 MB free for the server in /srv/neo4j: it needs at least 200 MB; ...
    """
    if free < MIN_FREE_BYTES:
        raise UserError(f"only {free / 2**20:,.0f} MB free for the server in {home}: it needs at least "
                        f"{MIN_FREE_BYTES / 2**20:,.0f} MB; free some space or choose another --home")


def _password_set(home: Path) -> bool:
    return (home / "data" / "dbms" / "auth.ini").exists()


def start(home: Path, port: int, password: str, quiet: bool = False) -> ServerStatus:
    """Start the server in `home` on 127.0.0.1:`port` and return once Bolt answers.

    A no-op when this home's server is already running on that port. Raises UserError for: no
    Java, no Maven, the port taken, a home in use by another server, a wrong password.
    """
    home = home.resolve()
    uri = f"bolt://127.0.0.1:{port}"
    pid = _our_pid(home)
    if pid is not None:
        running_port = _recorded_port(home)
        if running_port != port:
            raise UserError(f"home {home} is in use by another server (pid {pid}, port {running_port}); "
                            f"stop it with `relgraph db stop --home {home}` or choose another --home")
        try:
            version = _check_auth(port, password)
        except AuthError as exc:
            raise UserError(f"the server in {home} is running but refused the password: "
                            "set NEO4J_PASSWORD to the one it was started with") from exc
        return ServerStatus(True, home, uri, pid, version, "already running")
    if _lock_held_by_other(home):
        raise UserError(f"home {home} is in use by another Neo4j process; stop it or choose another --home")
    memory = Memory.from_environment()
    java = java_executable()
    if not _port_free(port):
        raise UserError(f"port {port} is already in use on 127.0.0.1: stop what listens there "
                        "or choose another --bolt-port")
    lib = ensure_jars(quiet=quiet)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_free_space(home, shutil.disk_usage(home).free)
    for sub in ("conf", "data", "logs", "run"):
        (home / sub).mkdir(mode=0o700, exist_ok=True)
        (home / sub).chmod(0o700)  # also in a home made before the server's files were kept private
    (home / "conf" / "neo4j.conf").write_text(_config(port, memory))
    env = {**JVM_ENVIRONMENT, **os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    classpath = f"{lib}/*"
    if not _password_set(home):
        _set_initial_password(home, [java, "-cp", classpath, ADMIN_TOOL], env, password)
    log = home / "logs" / "console.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            server_command(java, lib, home, memory),
            env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            umask=0o077,  # the store, auth.ini and logs readable by their owner only
        )
    _pid_file(home).write_text(str(process.pid))
    _port_file(home).write_text(str(port))
    try:
        version = _wait_for_bolt(process, port, password, log)
    except AuthError as exc:
        stop(home)
        raise UserError(f"the server in {home} was initialised with another password: set NEO4J_PASSWORD "
                        f"to it, or delete {home} to start afresh (stopped it again)") from exc
    except BaseException:
        stop(home)
        raise
    return ServerStatus(True, home, uri, process.pid, version, "started")


def _set_initial_password(home: Path, admin_tool: list[str], env: dict[str, str], password: str) -> None:
    """Set the neo4j user's first password without putting it on a command line (where ps shows it).

    The admin tool reads its arguments from a file named ``@FILE`` (picocli's argument files); the
    file is the owner's only and is deleted at once.
    """
    arguments = home / "run" / "initial-password.args"
    quoted = password.replace("\\", "\\\\").replace('"', '\\"')
    descriptor = os.open(arguments, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(f'dbms\nset-initial-password\n"{quoted}"\n')
        done = subprocess.run([*admin_tool, f"@{arguments}"], env=env, capture_output=True, text=True, umask=0o077)
    finally:
        arguments.unlink(missing_ok=True)
    if done.returncode != 0:
        raise UserError(f"could not set the initial password: {(done.stderr or done.stdout).strip()}")


def _lock_held_by_other(home: Path) -> bool:
    """True when some other live process holds this home's store lock (a server we did not start)."""
    lock = home / "data" / "databases" / "store_lock"
    if not lock.exists():
        return False
    try:
        import fcntl

        with open(lock, "r+b") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.lockf(handle, fcntl.LOCK_UN)
    except OSError:
        return False
    return False


def stop(home: Path, timeout: float = 60) -> bool:
    """Stop the server this home started (and nothing else); return whether one was running."""
    home = home.resolve()
    pid = _our_pid(home)
    port = _recorded_port(home)
    if pid is None:
        _pid_file(home).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    _reap(pid)
    while port and not _port_free(port) and time.monotonic() < deadline + 10:
        time.sleep(0.1)
    _pid_file(home).unlink(missing_ok=True)
    return True


def _reap(pid: int) -> None:
    """Collect the exit status when the server was our own child (tests start it in-process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def status(home: Path, port: int, password: str) -> ServerStatus:
    """Whether the server of this home is running, its URI and the version it reports."""
    home = home.resolve()
    pid = _our_pid(home)
    port = _recorded_port(home) or port if pid else port
    uri = f"bolt://127.0.0.1:{port}"
    if pid is None:
        return ServerStatus(False, home, uri)
    try:
        return ServerStatus(True, home, uri, pid, _check_auth(port, password))
    except AuthError:
        return ServerStatus(True, home, uri, pid, None, "the server refused NEO4J_PASSWORD")
    except ServiceUnavailable:
        return ServerStatus(True, home, uri, pid, None, "starting or not answering on Bolt")
