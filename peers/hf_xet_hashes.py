"""Prints the Xet hash of each file given on the command line, as computed by the official hf_xet.

Output: one JSON object per line, {"path", "hash", "size"}, in argument order.
"""
import json
import os
import sys

os.environ.setdefault("HF_XET_TELEMETRY_ENABLED", "false")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import hf_xet  # noqa: E402  (after the telemetry switches)


def main(paths):
    for path, info in zip(paths, hf_xet.hash_files(paths)):
        print(json.dumps({"path": path, "hash": info.hash, "size": info.file_size}))


if __name__ == "__main__":
    main(sys.argv[1:])
