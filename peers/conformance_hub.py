"""Conformance of localhub, judged by the official Python clients (huggingface_hub + hf_xet).

Usage: conformance_hub.py LOCALHUB_URL
Prints `ok - name` / `not ok - name` per check and ends with `N passed, N failed`.
"""
import hashlib
import json
import os
import sys
import tempfile
import traceback
import urllib.request

URL = sys.argv[1].rstrip("/")
os.environ["HF_ENDPOINT"] = URL
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hubwasm-conformance-")
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_XET_TELEMETRY_ENABLED"] = "false"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HUB_ETAG_TIMEOUT"] = "30"

from huggingface_hub import (  # noqa: E402
    CommitOperationAdd,
    CommitOperationCopy,
    CommitOperationDelete,
    HfApi,
    InferenceClient,
    hf_hub_download,
    snapshot_download,
)
from huggingface_hub.errors import (  # noqa: E402
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

WRITE = "hf_localhub_demo_write_token"
READ = "hf_localhub_demo_read_token"
STRANGER = "hf_stranger_write"  # created by the harness with --user stranger:hf_stranger_write:write
# Opens /admin (fault injection): xtask starts localhub with --admin-token and this value.
ADMIN = os.environ.get("LOCALHUB_ADMIN_TOKEN", "localhub-conformance-admin")
api = HfApi(token=WRITE)
REPO = "demo/conformance"
BIG = os.urandom(12 * 1024 * 1024 + 12345)  # > 10 MiB: must go through LFS/Xet
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def admin(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{URL}{path}", data=data, method=method,
                                 headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def raises(kind, fn):
    try:
        fn()
    except kind as e:
        return e
    raise AssertionError(f"expected {kind.__name__}")


@check
def whoami():
    me = api.whoami()
    assert me["name"] == "demo", me
    assert any(o["name"] == "demo-org" for o in me["orgs"]), me["orgs"]
    assert me["auth"]["accessToken"]["role"] == "write"


@check
def create_repo_public_private_and_exist_ok():
    url = api.create_repo(REPO)
    assert url.repo_id == REPO and url.endpoint == URL, url
    api.create_repo(REPO, exist_ok=True)
    raises(HfHubHTTPError, lambda: api.create_repo(REPO))
    api.create_repo("demo/conformance-private", private=True)
    assert api.model_info("demo/conformance-private").private is True
    api.create_repo("demo/conformance-data", repo_type="dataset")
    assert api.dataset_info("demo/conformance-data").id == "demo/conformance-data"


@check
def new_repo_has_gitattributes():
    info = api.model_info(REPO)
    assert [s.rfilename for s in info.siblings] == [".gitattributes"]
    assert len(info.sha) == 40


@check
def upload_small_file_regular():
    commit = api.upload_file(path_or_fileobj=b"hello localhub\n", path_in_repo="hello.txt", repo_id=REPO)
    assert len(commit.oid) == 40
    info = api.get_paths_info(REPO, ["hello.txt"])[0]
    assert info.lfs is None and info.size == 15
    content = b"hello localhub\n"
    assert info.blob_id == hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest(), info


@check
def upload_large_file_through_xet():
    api.upload_file(path_or_fileobj=BIG, path_in_repo="weights/big.bin", repo_id=REPO)
    info = api.get_paths_info(REPO, ["weights/big.bin"])[0]
    assert info.lfs is not None and info.lfs.size == len(BIG), info
    assert info.xet_hash and len(info.xet_hash) == 64, info


@check
def legacy_lfs_upload_basic_and_multipart():
    # Without hf_xet the client negotiates LFS through the batch API: basic PUT for the small
    # file, multipart (parts + completion) above localhub's 20 MiB threshold, then verify.
    import subprocess
    small, large = os.urandom(1_500_000), os.urandom(21 * 1024 * 1024 + 77)
    with tempfile.TemporaryDirectory() as d:
        for name, content in [("small.bin", small), ("large.bin", large)]:
            with open(os.path.join(d, name), "wb") as f:
                f.write(content)
        env = dict(os.environ, HF_HUB_DISABLE_XET="1", HF_TOKEN=WRITE)
        subprocess.run([sys.executable, "-c", f'''
from huggingface_hub import HfApi
HfApi().upload_folder(folder_path={d!r}, path_in_repo="lfs", repo_id={REPO!r})
'''], env=env, check=True)
    for name, content in [("small.bin", small), ("large.bin", large)]:
        info = api.get_paths_info(REPO, [f"lfs/{name}"])[0]
        assert info.lfs is not None and info.xet_hash is None, info
        with open(hf_hub_download(REPO, f"lfs/{name}"), "rb") as f:
            assert f.read() == content, name


@check
def xet_file_downloads_byte_identical():
    path = hf_hub_download(REPO, "weights/big.bin", token=WRITE)
    with open(path, "rb") as f:
        assert f.read() == BIG


@check
def second_download_is_a_cache_hit():
    first = hf_hub_download(REPO, "weights/big.bin", token=WRITE)
    # Any content fetch now fails: a second call must be served from the cache.
    admin("POST", "/admin/faults", {"route": "/cas/", "kind": "error", "status": 500})
    admin("POST", "/admin/faults", {"route": "/lfs-cdn/", "kind": "error", "status": 500})
    try:
        again = hf_hub_download(REPO, "weights/big.bin", token=WRITE)
    finally:
        admin("DELETE", "/admin/faults")
    assert again == first


@check
def upload_folder():
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "sub", "deep"))
        for rel, content in [("a.txt", b"a"), ("sub/b.txt", b"bb"), ("sub/deep/c.json", b"{}")]:
            with open(os.path.join(d, rel), "wb") as f:
                f.write(content)
        api.upload_folder(folder_path=d, path_in_repo="folder", repo_id=REPO)
    files = api.list_repo_files(REPO)
    for p in ["folder/a.txt", "folder/sub/b.txt", "folder/sub/deep/c.json"]:
        assert p in files, files


@check
def create_commit_with_deletes_and_copies():
    ops = [
        CommitOperationAdd(path_in_repo="to-delete.txt", path_or_fileobj=b"x"),
        CommitOperationAdd(path_in_repo="folder-gone/x.txt", path_or_fileobj=b"y"),
    ]
    api.create_commit(REPO, ops, commit_message="add things to delete")
    ops = [
        CommitOperationDelete(path_in_repo="to-delete.txt"),
        CommitOperationDelete(path_in_repo="folder-gone/"),
        CommitOperationCopy(src_path_in_repo="hello.txt", path_in_repo="copies/hello.txt"),
        CommitOperationCopy(src_path_in_repo="weights/big.bin", path_in_repo="copies/big.bin"),
    ]
    api.create_commit(REPO, ops, commit_message="delete and copy")
    files = api.list_repo_files(REPO)
    assert "to-delete.txt" not in files and not any(f.startswith("folder-gone/") for f in files), files
    assert "copies/hello.txt" in files and "copies/big.bin" in files
    with open(hf_hub_download(REPO, "copies/big.bin"), "rb") as f:
        assert f.read() == BIG


@check
def parent_commit_conflict():
    old = api.model_info(REPO).sha
    api.upload_file(path_or_fileobj=b"1", path_in_repo="race.txt", repo_id=REPO)
    err = raises(HfHubHTTPError, lambda: api.create_commit(
        REPO, [CommitOperationAdd("race.txt", b"2")], commit_message="stale", parent_commit=old))
    assert err.response.status_code == 412, err


@check
def branches_tags_refs():
    api.create_branch(REPO, branch="dev")
    api.upload_file(path_or_fileobj=b"dev only", path_in_repo="dev.txt", repo_id=REPO, revision="dev")
    api.create_tag(REPO, tag="v1.0", tag_message="first")
    refs = api.list_repo_refs(REPO)
    assert {b.name for b in refs.branches} == {"main", "dev"}, refs
    assert [t.name for t in refs.tags] == ["v1.0"]
    assert "dev.txt" in api.list_repo_files(REPO, revision="dev")
    assert "dev.txt" not in api.list_repo_files(REPO, revision="v1.0")
    raises(HfHubHTTPError, lambda: api.create_branch(REPO, branch="dev"))
    api.create_branch(REPO, branch="dev", exist_ok=True)


@check
def pull_request_commit():
    commit = api.upload_file(path_or_fileobj=b"pr", path_in_repo="pr.txt", repo_id=REPO, create_pr=True)
    assert commit.pr_num == 1 and commit.pr_revision == "refs/pr/1", commit
    assert "pr.txt" in api.list_repo_files(REPO, revision="refs/pr/1")
    assert "pr.txt" not in api.list_repo_files(REPO)
    refs = api.list_repo_refs(REPO, include_pull_requests=True)
    assert [p.ref for p in refs.pull_requests] == ["refs/pr/1"]


@check
def list_commits():
    commits = api.list_repo_commits(REPO)
    titles = [c.title for c in commits]
    assert titles[-1] == "initial commit" and "delete and copy" in titles, titles
    assert all(len(c.commit_id) == 40 for c in commits)


@check
def list_tree_and_paths_info():
    top = {e.path: type(e).__name__ for e in api.list_repo_tree(REPO)}
    assert top.get("weights") == "RepoFolder" and top.get("hello.txt") == "RepoFile", top
    deep = [e.path for e in api.list_repo_tree(REPO, path_in_repo="folder", recursive=True)]
    assert deep == sorted(deep) and "folder/sub/deep/c.json" in deep, deep
    expanded = list(api.list_repo_tree(REPO, path_in_repo="weights", expand=True))
    assert expanded[0].last_commit is not None
    infos = api.get_paths_info(REPO, ["hello.txt", "weights", "missing.txt"])
    assert [type(i).__name__ for i in infos] == ["RepoFile", "RepoFolder"], infos


@check
def repo_info_and_expand():
    info = api.model_info(REPO, files_metadata=True)
    big = next(s for s in info.siblings if s.rfilename == "weights/big.bin")
    assert big.size == len(BIG) and big.lfs is not None
    some = api.model_info(REPO, expand=["sha", "private"])
    assert some.sha == info.sha and some.private is False
    assert api.repo_exists(REPO) and not api.repo_exists("demo/nope")
    assert api.file_exists(REPO, "hello.txt") and not api.file_exists(REPO, "nope.txt")


@check
def snapshot_download_whole_repo():
    d = snapshot_download(REPO, allow_patterns=["*.txt", "weights/*"])
    with open(os.path.join(d, "weights", "big.bin"), "rb") as f:
        assert f.read() == BIG
    with open(os.path.join(d, "hello.txt"), "rb") as f:
        assert f.read() == b"hello localhub\n"


@check
def typed_errors():
    raises(RepositoryNotFoundError, lambda: api.model_info("demo/does-not-exist"))
    raises(RepositoryNotFoundError, lambda: HfApi(token=STRANGER).model_info("demo/conformance-private"))
    raises(RepositoryNotFoundError, lambda: HfApi(token=False).model_info("demo/conformance-private"))
    raises(RevisionNotFoundError, lambda: api.model_info(REPO, revision="no-such-branch"))
    raises(RevisionNotFoundError, lambda: hf_hub_download(REPO, "hello.txt", revision="no-such-branch"))
    raises(EntryNotFoundError, lambda: hf_hub_download(REPO, "missing.txt"))


@check
def read_token_cannot_write():
    err = raises(HfHubHTTPError, lambda: HfApi(token=READ).upload_file(
        path_or_fileobj=b"no", path_in_repo="no.txt", repo_id=REPO))
    assert err.response.status_code == 403


@check
def move_repo_keeps_the_old_id_working():
    api.create_repo("demo/conformance-before")
    api.upload_file(path_or_fileobj=b"moved", path_in_repo="m.txt", repo_id="demo/conformance-before")
    api.move_repo("demo/conformance-before", "demo-org/conformance-after")
    assert api.model_info("demo-org/conformance-after").id == "demo-org/conformance-after"
    assert api.model_info("demo/conformance-before").id == "demo-org/conformance-after"
    with open(hf_hub_download("demo/conformance-before", "m.txt"), "rb") as f:
        assert f.read() == b"moved"


@check
def delete_repo():
    api.create_repo("demo/conformance-tmp")
    api.delete_repo("demo/conformance-tmp")
    assert not api.repo_exists("demo/conformance-tmp")
    api.delete_repo("demo/conformance-tmp", missing_ok=True)


@check
def inference_chat_not_streamed():
    client = InferenceClient(base_url=URL, api_key=WRITE)
    out = client.chat_completion(messages=[{"role": "user", "content": "one two three"}], model="localhub/echo-chat")
    assert out.choices[0].message.content == "You said: three two one", out
    assert out.choices[0].finish_reason == "stop"


@check
def inference_chat_streamed_with_max_tokens():
    client = InferenceClient(base_url=URL, api_key=WRITE)
    chunks = list(client.chat_completion(messages=[{"role": "user", "content": "a b c d"}], stream=True, max_tokens=3))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "You said: d", text
    assert chunks[-1].choices[0].finish_reason == "length"


@check
def inference_stream_error_raises():
    client = InferenceClient(base_url=URL, api_key=WRITE)
    try:
        list(client.chat_completion(messages=[{"role": "user", "content": "[[stream-error]]"}], stream=True))
    except Exception as e:  # the client raises its own error type for in-stream errors
        assert "Injected generation failure" in str(e), e
        return
    raise AssertionError("no error raised")


def main():
    passed = failed = 0
    for fn in CHECKS:
        try:
            fn()
            passed += 1
            print(f"ok - {fn.__name__}", flush=True)
        except Exception:
            failed += 1
            print(f"not ok - {fn.__name__}\n  " + traceback.format_exc().replace("\n", "\n  "), flush=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()
