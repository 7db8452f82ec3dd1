"""Fixtures for the js scenarios, written into a localhub by the official Python client
(huggingface_hub + hf_xet), so that what the scenarios expect never comes from hubwasm.

Usage: seed_fixtures.py LOCALHUB_URL > manifest.json

Writes: a model repo with regular files, Xet files (one small, one spanning several xorbs) and a
legacy LFS file (uploaded by a child process with HF_HUB_DISABLE_XET=1), a branch, a tag and a
pull request; a repo with more than 1000 files (one commit); a private repo; a gated repo; a dataset; a space.
Prints one JSON manifest: repo ids, each file's path, size, kind and sha256 (computed here from the
bytes generated here), refs, and the tokens. Progress goes to stderr.
"""
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

URL = sys.argv[1].rstrip("/")
os.environ["HF_ENDPOINT"] = URL
# A fresh cache of our own, removed at the end (the legacy-LFS child process shares it).
OWN_HF_HOME = "HF_HOME" not in os.environ
if OWN_HF_HOME:
    os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hubwasm-seed-")
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_XET_TELEMETRY_ENABLED"] = "false"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"

from huggingface_hub import CommitOperationAdd, HfApi  # noqa: E402

WRITE = "hf_localhub_demo_write_token"
READ = "hf_localhub_demo_read_token"
STRANGER = "hf_stranger_write"  # xtask starts localhub with --user stranger:hf_stranger_write:write
ADMIN = os.environ.get("LOCALHUB_ADMIN_TOKEN", "localhub-conformance-admin")
api = HfApi(token=WRITE)

MODEL = "demo/hub-fixtures"
MANY = "demo/many-files"
PRIVATE = "demo/private-fixtures"
GATED = "demo/gated-fixtures"
DATASET = "demo/hub-dataset"
SPACE = "demo/hub-space"
MANY_COUNT = 1234
MIB = 1024 * 1024


def log(message):
    print(f"seed: {message}", file=sys.stderr, flush=True)


def generated(size, seed):
    """Deterministic pseudo-random bytes (incompressible, so Xet makes real chunks)."""
    return random.Random(seed).randbytes(size)


def entry(repo, path, data, kind):
    return {"repo": repo, "path": path, "size": len(data), "kind": kind, "sha256": hashlib.sha256(data).hexdigest()}


def upload_legacy_lfs(path, seed, size):
    """Runs in a child process: huggingface_hub reads HF_HUB_DISABLE_XET when it is imported."""
    data = generated(size, seed)
    api.upload_file(path_or_fileobj=data, path_in_repo=path, repo_id=MODEL, commit_message=f"Add {path} (LFS)")


def main():
    files = []

    log(f"{MODEL}: regular and Xet files")
    api.create_repo(MODEL, exist_ok=True)
    regular = {
        "README.md": b"# hub fixtures\n\nWritten by peers/seed_fixtures.py with huggingface_hub.\n",
        "config.json": json.dumps({"model_type": "fixture", "hidden_size": 64}).encode(),
        "nested/deeper/notes.txt": "ünïcödé and spaces\n".encode() * 10,
        "nested/a file with spaces.txt": b"spaces in the path\n",
    }
    xet = {
        "xet-small.bin": generated(3 * MIB + 4321, 1),
        # Above hf_xet's 64 MiB xorb limit: the file spans two xorbs.
        "xet-multi-xorb.bin": generated(70 * MIB + 12345, 2),
    }
    ops = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=d) for p, d in {**regular, **xet}.items()]
    api.create_commit(MODEL, operations=ops, commit_message="Add regular and Xet files")
    files += [entry(MODEL, p, d, "regular") for p, d in regular.items()]
    files += [entry(MODEL, p, d, "xet") for p, d in xet.items()]

    log(f"{MODEL}: legacy LFS file (HF_HUB_DISABLE_XET=1)")
    lfs_size = 2 * MIB + 77
    env = {**os.environ, "HF_HUB_DISABLE_XET": "1"}
    subprocess.run([sys.executable, __file__, URL, "--legacy-lfs", "lfs-legacy.bin", "3", str(lfs_size)], env=env, check=True)
    files.append(entry(MODEL, "lfs-legacy.bin", generated(lfs_size, 3), "lfs"))

    log(f"{MODEL}: branch, tag, pull request")
    api.create_branch(MODEL, branch="dev")
    api.upload_file(path_or_fileobj=b"only on dev\n", path_in_repo="dev-only.txt", repo_id=MODEL, revision="dev",
                    commit_message="A file on dev")
    api.create_tag(MODEL, tag="v1.0", revision="main")
    pr = api.create_commit(MODEL, operations=[CommitOperationAdd("pr-file.txt", b"proposed\n")],
                           commit_message="A proposal", create_pr=True)
    main_commits = [c.commit_id for c in api.list_repo_commits(MODEL)]

    log(f"{MANY}: {MANY_COUNT} files in one commit")
    api.create_repo(MANY, exist_ok=True)
    ops = [CommitOperationAdd(f"files/{i:05d}.txt", f"file {i}\n".encode()) for i in range(MANY_COUNT)]
    api.create_commit(MANY, operations=ops, commit_message=f"{MANY_COUNT} files")

    log(f"{PRIVATE}, {GATED}, datasets/{DATASET}")
    api.create_repo(PRIVATE, private=True, exist_ok=True)
    secret = b"private content\n"
    api.upload_file(path_or_fileobj=secret, path_in_repo="secret.txt", repo_id=PRIVATE)
    files.append(entry(PRIVATE, "secret.txt", secret, "regular"))
    api.create_repo(GATED, exist_ok=True)
    gated = b"gated content\n"
    gated_xet = generated(200_000, 4)
    api.create_commit(GATED, commit_message="Gated files", operations=[
        CommitOperationAdd("gated.txt", gated), CommitOperationAdd("gated.bin", gated_xet)])
    api.update_repo_settings(GATED, gated="auto")
    files.append(entry(GATED, "gated.txt", gated, "regular"))
    files.append(entry(GATED, "gated.bin", gated_xet, "xet"))
    api.create_repo(DATASET, repo_type="dataset", exist_ok=True)
    rows = b"id,text\n" + b"".join(f"{i},row {i}\n".encode() for i in range(100))
    api.upload_file(path_or_fileobj=rows, path_in_repo="data/train.csv", repo_id=DATASET, repo_type="dataset")
    files.append(entry(f"datasets/{DATASET}", "data/train.csv", rows, "regular"))
    api.create_repo(SPACE, repo_type="space", space_sdk="static", exist_ok=True)
    page = b"<!doctype html><title>fixture</title>\n"
    api.upload_file(path_or_fileobj=page, path_in_repo="index.html", repo_id=SPACE, repo_type="space")
    files.append(entry(f"spaces/{SPACE}", "index.html", page, "regular"))

    # What the Hub itself says about the fixtures, read back with the official client.
    tree = {e.path: e for e in api.list_repo_tree(MODEL, recursive=True)}
    for f in files:
        if f["repo"] == MODEL:
            assert tree[f["path"]].size == f["size"], f
    manifest = {
        "hubUrl": URL,
        "tokens": {"write": WRITE, "read": READ, "stranger": STRANGER, "admin": ADMIN},
        "user": "demo",
        "orgs": ["demo-org"],
        "repos": {"model": MODEL, "many": MANY, "private": PRIVATE, "gated": GATED, "dataset": f"datasets/{DATASET}",
                  "space": f"spaces/{SPACE}"},
        "files": files,
        "many": {"repo": MANY, "count": MANY_COUNT, "folder": "files"},
        "refs": {"branches": ["dev", "main"], "tags": ["v1.0"], "pullRequests": [f"refs/pr/{pr.pr_num}"]},
        "mainCommits": main_commits,
        "modelMainSha": api.model_info(MODEL).sha,
    }
    print(json.dumps(manifest, indent=1))
    log("done")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--legacy-lfs":
        upload_legacy_lfs(sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        try:
            main()
        finally:
            if OWN_HF_HOME:
                shutil.rmtree(os.environ["HF_HOME"], ignore_errors=True)
