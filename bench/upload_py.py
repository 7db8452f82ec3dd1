"""One timed upload_file of a fresh file (run by upload.mjs), through hf_xet like on the Hub:
prints {"seconds", "bytes", "rssGrowth"}. RSS growth is the process's peak (VmHWM) minus its
resident size just before the upload.

Usage: upload_py.py LOCALHUB_URL REPO FILE
"""
import json
import os
import sys
import tempfile
import time

url, repo, path = sys.argv[1:4]
os.environ["HF_ENDPOINT"] = url
home = tempfile.TemporaryDirectory(prefix="hubwasm-bench-up-")  # removed at exit
os.environ.setdefault("HF_HOME", home.name)
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_XET_TELEMETRY_ENABLED"] = "false"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"

from huggingface_hub import HfApi  # noqa: E402


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


api = HfApi(endpoint=url, token="hf_localhub_demo_write_token")
api.create_repo(repo, exist_ok=True)
before = status("VmRSS")
started = time.perf_counter()
api.upload_file(path_or_fileobj=path, path_in_repo="big.bin", repo_id=repo, commit_message="Upload benchmark")
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "bytes": os.path.getsize(path), "rssGrowth": status("VmHWM") - before}))
