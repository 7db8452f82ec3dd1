"""What hubwasm uploaded, read back by the official Python client (huggingface_hub + hf_xet).

Usage: check_uploads.py LOCALHUB_URL [MIN_REPOS]

The hub-commit scenario (js-tests/scenarios/hub-commit.js) leaves, in each runtime it runs in, a
repo `demo/commit-interop-…` holding the files it committed through hubwasm (inline, LFS one-PUT,
LFS multipart, copies) and `expected-sha256.json`, their SHA-256 computed by WebCrypto from the
bytes the scenario generated, and names that repo in `demo/commit-interop-index` (one file per repo,
holding its id: localhub has no repo listing). Every file is downloaded here with hf_hub_download and its SHA-256
compared; `.gitattributes` must route every LFS path. Fails when fewer than MIN_REPOS (default 1)
such repos exist. Also: huggingface_hub leaves out of a commit what localhub's preupload marks
`shouldIgnore` by a `.gitignore` committed with the files. Ends with `N passed, N failed`.
"""
import hashlib
import json
import os
import sys
import tempfile

URL = sys.argv[1].rstrip("/")
MIN_REPOS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
os.environ["HF_ENDPOINT"] = URL
# A TemporaryDirectory is removed when the interpreter exits.
HF_HOME = None if "HF_HOME" in os.environ else tempfile.TemporaryDirectory(prefix="hubwasm-check-uploads-")
if HF_HOME:
    os.environ["HF_HOME"] = HF_HOME.name
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"

from huggingface_hub import HfApi, hf_hub_download  # noqa: E402

api = HfApi(token="hf_localhub_demo_write_token")
passed = failed = 0
INDEX = "demo/commit-interop-index"
repos = []
if api.repo_exists(INDEX):
    for name in api.list_repo_files(INDEX):
        if name.endswith(".txt"):
            repos.append(open(hf_hub_download(INDEX, name, token=api.token)).read().strip())
print(f"check_uploads: {len(repos)} repos uploaded by hubwasm", file=sys.stderr)
if len(repos) < MIN_REPOS:
    print(f"not ok - expected at least {MIN_REPOS} commit-interop repos, found {len(repos)}")
    failed += 1
for repo in repos:
    try:
        expected = json.loads(open(hf_hub_download(repo, "expected-sha256.json", token=api.token), "rb").read())
        assert expected, "expected-sha256.json lists no file"
        infos = {i.path: i for i in api.get_paths_info(repo, list(expected))}
        for path, sha in expected.items():
            with open(hf_hub_download(repo, path, token=api.token), "rb") as f:
                got = hashlib.sha256(f.read()).hexdigest()
            assert got == sha, f"{path}: sha256 {got}, hubwasm's scenario expected {sha}"
            lfs = infos[path].lfs
            if lfs is not None:
                assert lfs.sha256 == sha, f"{path}: LFS oid {lfs.sha256} is not the content's sha256"
        print(f"ok - {repo}: {len(expected)} files byte-identical through huggingface_hub")
        passed += 1
    except Exception as e:  # noqa: BLE001 - every failure is reported with its repo
        print(f"not ok - {repo}: {type(e).__name__}: {e}")
        failed += 1
try:
    from huggingface_hub import CommitOperationAdd  # noqa: E402

    repo = api.create_repo("demo/python-gitignore", exist_ok=True).repo_id
    api.create_commit(repo, commit_message="with a .gitignore", operations=[
        CommitOperationAdd(".gitignore", b"*.log\n"),
        CommitOperationAdd("debug.log", b"noise"),
        CommitOperationAdd("kept.txt", b"kept"),
    ])
    files = set(api.list_repo_files(repo))
    assert {".gitignore", "kept.txt"} <= files and "debug.log" not in files, f"files: {sorted(files)}"
    print("ok - huggingface_hub skips what localhub's preupload marks ignored by .gitignore")
    passed += 1
except Exception as e:  # noqa: BLE001
    print(f"not ok - .gitignore: {type(e).__name__}: {e}")
    failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(0 if failed == 0 and passed > 0 else 1)
