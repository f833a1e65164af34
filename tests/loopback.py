"""Keep a script that starts servers and browsers (a benchmark, the screenshots) on loopback.

Libraries and Chromium phone out on their own; ``tests/offline.sh`` runs a
command in a private network namespace where only loopback exists, as the test
suite runs. A script calls :func:`stay_on_loopback` first and is run again in
there, once (where no namespace can be made, offline.sh warns and runs it as is).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

OFFLINE_SH = Path(__file__).with_name("offline.sh")


def stay_on_loopback() -> None:
    """Run this script again inside offline.sh's namespace, unless it already runs there or has tried."""
    if os.environ.get("TARJAMA_NETWORK_NAMESPACE") or os.environ.get("TARJAMA_LOOPBACK_TRIED"):
        return
    os.environ["TARJAMA_LOOPBACK_TRIED"] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvp("bash", ["bash", str(OFFLINE_SH), sys.executable, *sys.argv])
