"""Starts asana-harness once for the test session: a fake Asana and a fake OneLogin.

It runs the container image when a container engine answers and has the image, and the binary
otherwise:

- image: ``ASANA_HARNESS_IMAGE`` (default ``asana-harness:dev``) under podman, else docker. Both
  fakes are published on free ports of 127.0.0.1, and the image writes its credentials, minted
  at start, to ``/data/credentials.json`` in a folder mounted from here.
- binary: ``ASANA_HARNESS_BIN``, else ``target/debug/asana-harness`` of this repository, else
  ``asana-harness`` on the PATH; ``serve`` on free ports of loopback, ``--credentials-out``.

``ASANA_HARNESS_START=image`` or ``=binary`` insists on one way. Either way the fixture waits
for ``GET /__admin/health`` on both fakes, with a deadline, and every secret the tests use comes
from the credentials file: nothing is hard-coded.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

IMAGE = os.environ.get("ASANA_HARNESS_IMAGE", "asana-harness:dev")
REPOSITORY = Path(__file__).resolve().parents[2]
# How long a start may take before the fixture gives up: the image starts in about a second,
# the binary in less; the deadline is for a loaded CI machine.
READY_WITHIN_SECONDS = 60
# On machines whose cgroup layout crun refuses, podman needs runc and explicit limits.
PODMAN_FLAGS = [
    "--runtime",
    "runc",
    "--ulimit",
    "nofile=1024:1024",
    "--ulimit",
    "nproc=1024:1024",
]


@dataclass
class Harness:
    """A running harness: where its fakes are, its credentials, and how to run its CLI."""

    credentials: dict
    asana_origin: str
    onelogin_origin: str
    # argv that runs `asana-harness` itself (the binary, or the image with `run --rm`).
    command: list[str]
    # Folders the CLI may read: mounted read-only when the CLI runs in a container.
    mount: Callable[[Path], list[str]] | None = field(repr=False, default=None)
    admin_token: str | None = field(repr=False, default=None)

    @property
    def asana_rest_url(self) -> str:
        return self.asana_origin + "/api/1.0"

    @property
    def scim_token(self) -> str:
        return self.credentials["asana"]["service_account_token"]

    def admin(self, origin: str, method: str, path: str, body: dict | None = None):
        """A call to a fake's admin API (`/__admin`, the harness's control, not a vendor's API).
        Every admin write is declared JSON; the admin token goes along when there is one."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(origin + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
        except urllib.error.HTTPError as refused:
            # The fake's own error body says why; keep it in the failure.
            detail = refused.read().decode(errors="replace")
            raise AssertionError(f"{method} {path}: {refused.code} {detail}") from None
        return json.loads(text) if text else None

    def cli(self, *args: str, reads: Path | None = None) -> subprocess.CompletedProcess:
        """Runs `asana-harness ARGS...` to completion; `reads` is a folder its arguments name."""
        prefix = self.mount(reads) if (self.mount and reads) else self.command
        return subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=300, check=False
        )


def _health(origin: str) -> bool:
    try:
        with urllib.request.urlopen(origin + "/__admin/health", timeout=2) as response:
            return response.status == 200 and json.load(response).get("status") == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return False


def _wait_until(ready, what: str, log) -> None:
    """Polls `ready` until it holds or the deadline passes (readiness, never a fixed sleep)."""
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} within {READY_WITHIN_SECONDS} s; its log:\n{log()}")
        time.sleep(0.05)


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _admin_token(credentials: dict) -> str | None:
    """The admin token, when the harness has one (it always does when it serves beyond
    loopback, as in the image)."""
    for section in (credentials, credentials.get("asana", {}), credentials.get("onelogin", {})):
        if isinstance(section, dict) and section.get("admin_token"):
            return section["admin_token"]
    return None


@functools.cache
def _engine() -> str | None:
    """The container engine that answers and holds the image, if any: a `docker` client without
    a daemon does not count."""
    for engine in ("podman", "docker"):
        if shutil.which(engine) is None:
            continue
        try:
            answers = subprocess.run([engine, "info"], capture_output=True, timeout=30)
            if answers.returncode != 0:
                continue
            image = subprocess.run(
                [engine, "image", "inspect", IMAGE], capture_output=True, timeout=30
            )
        except subprocess.TimeoutExpired:
            continue
        if image.returncode == 0:
            return engine
    return None


def _binary() -> str:
    configured = os.environ.get("ASANA_HARNESS_BIN")
    if configured:
        if not Path(configured).is_file():
            raise RuntimeError(f"ASANA_HARNESS_BIN names {configured}, which does not exist")
        return configured
    built = REPOSITORY / "target" / "debug" / "asana-harness"
    if built.is_file():
        return str(built)
    on_path = shutil.which("asana-harness")
    if on_path:
        return on_path
    raise RuntimeError(
        "no asana-harness to start: build it (`cargo build`), set ASANA_HARNESS_BIN, "
        f"or load the image {IMAGE}"
    )


def _start_binary(folder: Path):
    binary = _binary()
    credentials_file = folder / "credentials.json"
    log_file = folder / "serve.log"
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [
                binary,
                "serve",
                "--asana-addr",
                "127.0.0.1:0",
                "--onelogin-addr",
                "127.0.0.1:0",
                "--credentials-out",
                str(credentials_file),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def log() -> str:
        return log_file.read_text(errors="replace")

    try:
        # The file is written (atomically) once both fakes listen.
        _wait_until(
            lambda: credentials_file.exists() or process.poll() is not None,
            "serve wrote no credentials",
            log,
        )
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}:\n{log()}")
        credentials = json.loads(credentials_file.read_text())
        asana = _origin(credentials["asana"]["base_url"])
        onelogin = _origin(credentials["onelogin"]["base_url"])
        _wait_until(lambda: _health(asana) and _health(onelogin), "the fakes were not healthy", log)
        harness = Harness(
            credentials=credentials,
            asana_origin=asana,
            onelogin_origin=onelogin,
            command=[binary],
            admin_token=_admin_token(credentials),
        )
        yield harness
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start_image(engine: str, folder: Path):
    flags = PODMAN_FLAGS if engine == "podman" else []
    # The image runs as a user of its own: the mounted folder must be writable by it.
    folder.chmod(0o777)
    # Our own admin token, given through the environment, so this side knows it whatever the
    # credentials file calls it.
    admin_token = secrets.token_urlsafe(24)
    started = subprocess.run(
        [
            engine,
            "run",
            "--rm",
            "-d",
            *flags,
            "-p",
            "127.0.0.1::7480",
            "-p",
            "127.0.0.1::7481",
            "-v",
            f"{folder}:/data",
            "-e",
            f"ASANA_HARNESS_ADMIN_TOKEN={admin_token}",
            IMAGE,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if started.returncode != 0:
        raise RuntimeError(f"{engine} run failed: {started.stderr}")
    container = started.stdout.strip()

    def log() -> str:
        out = subprocess.run([engine, "logs", container], capture_output=True, text=True)
        return out.stdout + out.stderr

    def published(port: int) -> str:
        out = subprocess.run(
            [engine, "port", container, f"{port}/tcp"], capture_output=True, text=True, check=True
        )
        return "http://" + out.stdout.split()[0].replace("0.0.0.0", "127.0.0.1")

    def mount(reads: Path) -> list[str]:
        # The container's user must be able to read what it is given.
        for path in [reads, *reads.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return [engine, "run", "--rm", *flags, "-v", f"{reads}:{reads}:ro", IMAGE]

    try:
        asana, onelogin = published(7480), published(7481)
        credentials_file = folder / "credentials.json"
        _wait_until(
            lambda: credentials_file.exists() and _health(asana) and _health(onelogin),
            "the container was not healthy",
            log,
        )
        credentials = json.loads(credentials_file.read_text())
        yield Harness(
            credentials=credentials,
            asana_origin=asana,
            onelogin_origin=onelogin,
            command=[engine, "run", "--rm", *flags, IMAGE],
            mount=mount,
            admin_token=_admin_token(credentials) or admin_token,
        )
    finally:
        subprocess.run([engine, "stop", "-t", "5", container], capture_output=True, timeout=60)


def _way() -> tuple[str | None, str]:
    """The engine to run the image with (None for the binary), and the way in words."""
    way = os.environ.get("ASANA_HARNESS_START", "auto")
    if way not in ("auto", "image", "binary"):
        raise RuntimeError(f"ASANA_HARNESS_START is {way!r}: auto, image or binary")
    engine = _engine() if way != "binary" else None
    if way == "image" and engine is None:
        raise RuntimeError(f"no container engine answers with the image {IMAGE}")
    return engine, (f"the image {IMAGE} under {engine}" if engine else "the binary")


def pytest_report_header(config):
    try:
        return f"asana-harness: {_way()[1]}"
    except RuntimeError as e:
        return f"asana-harness: {e}"


@pytest.fixture(scope="session")
def harness():
    """The running harness, started once for the session and stopped after it."""
    engine, _ = _way()
    with tempfile.TemporaryDirectory(prefix="asana-harness-", ignore_cleanup_errors=True) as folder:
        if engine:
            yield from _start_image(engine, Path(folder))
        else:
            yield from _start_binary(Path(folder))
