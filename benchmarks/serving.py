"""What the benchmarks that drive a running server share: waiting for it to answer, and
making an API token with the ``chiso`` command."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

CHISO = Path(sys.executable).parent / "chiso"


def wait_ready(base: str, seconds: float = 120) -> None:
    """Return once the server at ``base`` answers (any status below 500)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            if httpx.get(base + "/api/v1/status", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {base} did not answer within {seconds:.0f} s")


def token(username: str, scope: str = "read", env: dict[str, str] | None = None) -> str:
    """A new API token of ``username`` (the demo's sign-ins exist once ``chiso serve`` started)."""
    out = subprocess.run([str(CHISO), "users", "token", "create", username, "--name", f"bench-{time.time_ns()}",
                          "--scope", scope], env=env or dict(os.environ), capture_output=True, text=True,
                         check=True).stdout
    return next(w for w in out.split() if w.startswith("chiso_"))
