"""Restores files from localhub with the official clients only, two ways:
hf_xet's own CAS client (token from xet-read-token, reconstruction API, xorb fetches), and
huggingface_hub's hf_hub_download (resolve headers -> hf_xet). Writes OUT/hf_xet/PATH and
OUT/hf_hub_download/PATH.

Usage: hf_xet_restore.py HUB_URL TOKEN REPO_ID OUT PATH:XET_HASH:SIZE...
"""
import os
import shutil
import sys
import tempfile

os.environ.setdefault("HF_XET_TELEMETRY_ENABLED", "false")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def main(hub, token, repo, out, files):
    os.environ["HF_ENDPOINT"] = hub
    hf_home = tempfile.TemporaryDirectory(prefix="hubwasm-hf-home-")  # removed on return
    os.environ["HF_HOME"] = hf_home.name
    import hf_xet
    import json
    import urllib.request
    from huggingface_hub import hf_hub_download

    request = urllib.request.Request(f"{hub}/api/models/{repo}/xet-read-token/main", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        info = json.load(response)
    direct = os.path.join(out, "hf_xet")
    os.makedirs(direct, exist_ok=True)
    session = hf_xet.XetSession()
    with session.new_file_download_group(endpoint=info["casUrl"], token=info["accessToken"], token_expiry_unix_secs=info["exp"]) as group:
        for spec in files:
            path, xet_hash, size = spec.rsplit(":", 2)
            group.start_download_file(hf_xet.XetFileInfo(xet_hash, int(size)), os.path.join(direct, path))
    via_hub = os.path.join(out, "hf_hub_download")
    os.makedirs(via_hub, exist_ok=True)
    for spec in files:
        path = spec.rsplit(":", 2)[0]
        shutil.copyfile(hf_hub_download(repo, path, token=token), os.path.join(via_hub, path))
    print(f"restored {len(files)} files two ways")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
