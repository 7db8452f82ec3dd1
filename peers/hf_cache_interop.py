"""The Python side of the cache interop suite (js-tests/peers/hub-cache-python.js).

Usage: hf_cache_interop.py download|read CACHE_DIR JOBS_JSON   (JOBS_JSON: [[repo, revision, path], ...])
       hf_cache_interop.py snapshot CACHE_DIR REPO REVISION   (snapshot_download, local files only)
       hf_cache_interop.py scan CACHE_DIR
       hf_cache_interop.py layout CACHE_DIR
       hf_cache_interop.py share CACHE_DIR REPO PATH        (uploads a cached file to a new repo REPO)
       hf_cache_interop.py delete CACHE_DIR REPO            (scan_cache_dir's delete of all its revisions)

`download` runs hf_hub_download against HF_ENDPOINT; `read` is the same call with HF_HUB_OFFLINE=1 set by
the caller (huggingface_hub reads it when imported). Both print one JSON line per file: the path
hf_hub_download returned and the sha256 of its bytes. `scan` prints scan_cache_dir's figures, `layout`
every entry of the folder (relative path → symlink target, or file size, mode and, for refs and the
shared Xet store's manifests and marker, content; folders under the store too).
"""

import hashlib
import json
import os
import sys

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("HF_XET_TELEMETRY_ENABLED", "false")

from huggingface_hub import hf_hub_download, scan_cache_dir  # noqa: E402


def split_repo(designation):
    for prefix, kind in (("datasets/", "dataset"), ("spaces/", "space")):
        if designation.startswith(prefix):
            return designation[len(prefix):], kind
    return designation, "model"


def fetch(cache_dir, jobs):
    for designation, revision, path in jobs:
        repo_id, repo_type = split_repo(designation)
        local = hf_hub_download(repo_id, path, repo_type=repo_type, revision=revision, cache_dir=cache_dir)
        with open(local, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        print(json.dumps({"repo": designation, "revision": revision, "path": path, "local": local, "sha256": digest}))


def scan(cache_dir):
    info = scan_cache_dir(cache_dir)
    repos = []
    for repo in sorted(info.repos, key=lambda r: (r.repo_type, r.repo_id)):
        revisions = [
            {"commit": r.commit_hash, "refs": sorted(r.refs), "nbFiles": r.nb_files, "sizeOnDisk": r.size_on_disk}
            for r in sorted(repo.revisions, key=lambda r: r.commit_hash)
        ]
        repos.append({"repo": repo.repo_id, "type": repo.repo_type, "nbFiles": repo.nb_files,
                      "sizeOnDisk": repo.size_on_disk, "revisions": revisions})
    print(json.dumps({"repos": repos, "sizeOnDisk": info.size_on_disk, "warnings": [str(w) for w in info.warnings]}))


def layout(cache_dir):
    entries = {}
    for folder, dirs, files in os.walk(cache_dir):
        dirs.sort()
        rel_folder = os.path.relpath(folder, cache_dir)
        if rel_folder == "blobs" or rel_folder.startswith("blobs/"):
            entries[rel_folder + "/"] = {"dir": True, "mode": os.lstat(folder).st_mode & 0o7777}
        for name in sorted(files) + sorted(d for d in dirs if os.path.islink(os.path.join(folder, d))):
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, cache_dir)
            if os.path.islink(full):
                entries[rel] = {"link": os.readlink(full)}
            else:
                entry = {"size": os.path.getsize(full), "mode": os.lstat(full).st_mode & 0o7777}
                if "/refs/" in f"/{rel}" or rel.endswith(".refs") or rel == "blobs/.huggingface-shared-blobs":
                    with open(full) as f:
                        entry["content"] = f.read()
                entries[rel] = entry
    print(json.dumps(entries))


def share(cache_dir, repo, path):
    from huggingface_hub import HfApi, try_to_load_from_cache

    api = HfApi()
    api.create_repo(repo, exist_ok=True)
    local = try_to_load_from_cache("demo/hub-fixtures", path, cache_dir=cache_dir)
    api.upload_file(path_or_fileobj=local, path_in_repo=path, repo_id=repo, commit_message=f"{path} again")
    print(json.dumps({"repo": repo}))


def delete(cache_dir, designation):
    repo_id, repo_type = split_repo(designation)
    info = scan_cache_dir(cache_dir)
    commits = [r.commit_hash for repo in info.repos if (repo.repo_id, repo.repo_type) == (repo_id, repo_type)
               for r in repo.revisions]
    strategy = info.delete_revisions(*commits)
    strategy.execute()
    print(json.dumps({"commits": commits, "freed": strategy.expected_freed_size}))


def main():
    command, cache_dir = sys.argv[1], sys.argv[2]
    if command in ("download", "read"):
        fetch(cache_dir, json.loads(sys.argv[3]))
    elif command == "snapshot":
        from huggingface_hub import snapshot_download

        repo_id, repo_type = split_repo(sys.argv[3])
        print(json.dumps({"folder": snapshot_download(repo_id, repo_type=repo_type, revision=sys.argv[4],
                                                      cache_dir=cache_dir, local_files_only=True)}))
    elif command == "scan":
        scan(cache_dir)
    elif command == "layout":
        layout(cache_dir)
    elif command == "share":
        share(cache_dir, sys.argv[3], sys.argv[4])
    elif command == "delete":
        delete(cache_dir, sys.argv[3])
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
