"""Briefs one long article with the embedded model and reports time, peak RSS (of this
tool and of its llama-server) and which central actors the brief names.

Run: PYTHONPATH=. python bench/long/measure.py bench/long/flood_barrier_inquiry.txt [TIMEOUT]

The brief is made by the library in a child process (the CLI has no --deadline): TIMEOUT
seconds (default 3000) for the request and the call, as a slow or shared machine needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

CENTRAL = ["Velmora River Authority", "Halden Marine Works", "Dana Kovac", "Ruth Abernathy",
           "Lower Quay Residents' Association"]  # fmt: skip


def peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


CHILD = """
import json, sys
from summarizer import Summarizer, read_source
with Summarizer(backend="local", timeout=float(sys.argv[2]), deadline=float(sys.argv[2]),
                progress=lambda m: print(m, file=sys.stderr, flush=True)) as s:
    r = s.brief_detailed(read_source(sys.argv[1]))
dump = {"brief": r.brief.model_dump(mode="json"), "meta": r.meta.model_dump(mode="json")}
print(json.dumps(dump))
"""


def main(path: str, timeout: str = "3000") -> None:
    cmd = [sys.executable, "-c", CHILD, path, timeout]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    server_cmd = ""
    while proc.poll() is None:
        for pid in [proc.pid, *children(proc.pid)]:
            peaks[pid] = max(peaks.get(pid, 0), peak_kb(pid))
            if pid != proc.pid and not server_cmd:
                server_cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        time.sleep(0.5)
    out, err = proc.communicate()
    wall = time.monotonic() - started
    tool = peaks.pop(proc.pid, 0)
    server = max(peaks.values(), default=0)
    print(f"exit {proc.returncode}, wall {wall:.0f}s, peak RSS tool {tool / 1024:.0f} MB, "
          f"llama-server {server / 1024:.0f} MB")  # fmt: skip
    print("server:", " ".join(server_cmd.split()[2:]))
    print("progress:", " | ".join(err.strip().splitlines()[-4:]))
    if proc.returncode != 0:
        return
    payload = json.loads(out)
    meta, brief = payload["meta"], payload["brief"]
    print(f"prompt tokens {meta['usage']['prompt_tokens']}, completion "
          f"{meta['usage']['completion_tokens']}, requests {meta['requests']}, "
          f"model latency {meta['latency_s']:.0f}s")  # fmt: skip
    named = " | ".join(a["name"] for a in brief["actors"])
    print("headline:", brief["headline"])
    print("actors:", named)
    hits = [c for c in CENTRAL if any(c.lower() in a["name"].lower() or a["name"].lower() in
                                      c.lower() for a in brief["actors"])]  # fmt: skip
    print(f"central actors named: {len(hits)} of {len(CENTRAL)}: {hits}")
    print("phase:", brief["status"]["phase"], "| uncertainties:", len(brief["uncertainties"]))


if __name__ == "__main__":
    main(*sys.argv[1:3])
