"""Uploads files with the official hf_xet into a local:// store folder (real xorbs and shards).

Usage: hf_xet_local_upload.py STORE_DIR FILE...
Output: one JSON object per line, {"path", "hash", "size"}, in argument order.
"""
import json
import os
import sys

os.environ.setdefault("HF_XET_TELEMETRY_ENABLED", "false")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import hf_xet  # noqa: E402


def main(store, paths):
    session = hf_xet.XetSession()
    with session.new_upload_commit(endpoint=f"local://{os.path.abspath(store)}") as commit:
        uploads = [commit.start_upload_file(path) for path in paths]
    for path, upload in zip(paths, uploads):
        info = upload.result().xet_info
        print(json.dumps({"path": path, "hash": info.hash, "size": info.file_size}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
