"""One timed hf_hub_download of the benchmark file (run by download.mjs): prints
{"seconds", "cpuSeconds", "bytes", "rssGrowth", "sha256"?}
(cpuSeconds: CPU time of every thread of the process during the download). RSS growth is the process's peak (VmHWM) minus its
resident size just before the download. Set CHECK=1 to hash the file afterwards (not timed)."""
import hashlib
import json
import os
import sys
import tempfile
import time

os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_XET_TELEMETRY_ENABLED"] = "false"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"

from huggingface_hub import hf_hub_download  # noqa: E402


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


url, repo, path, token = sys.argv[1:5]
with tempfile.TemporaryDirectory(prefix="hubwasm-bench-py-") as tmp:
    before = status("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    local = hf_hub_download(repo, path, endpoint=url, token=token, cache_dir=f"{tmp}/cache", local_dir=f"{tmp}/out")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    out = {"seconds": seconds, "cpuSeconds": cpu_seconds, "bytes": os.path.getsize(local), "rssGrowth": status("VmHWM") - before}
    if os.environ.get("CHECK") == "1":
        h = hashlib.sha256()
        with open(local, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        out["sha256"] = h.hexdigest()
print(json.dumps(out))
