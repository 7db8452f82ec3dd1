"""Uploads the download benchmark's file into a localhub with the official Python client (hf_xet),
once: BENCH_MIB MiB (default 1024) of seeded pseudo-random bytes, incompressible so Xet stores real
chunks. Prints {"repo", "path", "size", "sha256"} (the sha256 of the bytes generated here).

Usage: seed_download.py LOCALHUB_URL
"""
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile

URL = sys.argv[1].rstrip("/")
os.environ["HF_ENDPOINT"] = URL
# A throwaway HF_HOME (hf_xet keeps its upload caches there), removed at the end.
OWN_HOME = None if "HF_HOME" in os.environ else tempfile.mkdtemp(prefix="hubwasm-bench-seed-")
if OWN_HOME:
    os.environ["HF_HOME"] = OWN_HOME
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_XET_TELEMETRY_ENABLED"] = "false"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"

from huggingface_hub import HfApi  # noqa: E402

REPO = "demo/bench-download"
PATH = "big.bin"
SIZE = int(os.environ.get("BENCH_MIB", "1024")) * 1024 * 1024

rng = random.Random(10)
BLOCK = 64 * 1024 * 1024  # randbytes takes at most 2^31 bits at once
data = b"".join(rng.randbytes(min(BLOCK, SIZE - at)) for at in range(0, SIZE, BLOCK))
api = HfApi(token="hf_localhub_demo_write_token")
api.create_repo(REPO, exist_ok=True)
api.upload_file(path_or_fileobj=data, path_in_repo=PATH, repo_id=REPO, commit_message="Benchmark file")
if OWN_HOME:
    shutil.rmtree(OWN_HOME, ignore_errors=True)
print(json.dumps({"repo": REPO, "path": PATH, "size": SIZE, "sha256": hashlib.sha256(data).hexdigest()}))
