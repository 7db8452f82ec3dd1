"""Conformance of localhub, judged by the official Python clients (huggingface_hub + hf_xet).

Usage: conformance_hub.py LOCALHUB_URL
Prints `ok - name` / `not ok - name` per check and ends with `N passed, N failed`.

huggingface_hub's own tests/test_hf_api.py is not run here: its sdist ships without the conftest.py that
defines the `api` and `repo_factory` fixtures it needs, and it is written against hub-ci's accounts and
production repos. The gaps it found are checked below instead (short commit ids, ids without a namespace,
discussions and pull requests).
"""
import hashlib
import json
import os
import sys
import tempfile
import time
import traceback
import urllib.request

URL = sys.argv[1].rstrip("/")
os.environ["HF_ENDPOINT"] = URL
# A TemporaryDirectory is removed when the interpreter exits.
HF_HOME = tempfile.TemporaryDirectory(prefix="hubwasm-conformance-")
os.environ["HF_HOME"] = HF_HOME.name
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
    GatedRepoError,
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
def tag_on_a_short_commit_id():
    full = api.model_info(REPO).sha
    short = full[:7]
    api.create_tag(REPO, tag="short-id", revision=short)
    tag = next(t for t in api.list_repo_refs(REPO).tags if t.name == "short-id")
    assert tag.target_commit == full, tag
    assert api.model_info(REPO, revision=short).sha == full
    with open(hf_hub_download(REPO, "hello.txt", revision=short), "rb") as f:
        assert f.read() == b"hello localhub\n"
    raises(RevisionNotFoundError, lambda: api.model_info(REPO, revision="0000000"))


@check
def repo_ids_without_a_namespace_are_not_found():
    assert not api.repo_exists("repo-that-does-not-exist")
    assert not HfApi(token=False).repo_exists("repo-that-does-not-exist")
    raises(RepositoryNotFoundError, lambda: api.model_info("repo-that-does-not-exist"))
    raises(RepositoryNotFoundError, lambda: api.dataset_info("repo-that-does-not-exist"))


@check
def discussions_and_pull_requests():
    repo = "demo/conformance-discussions"
    api.create_repo(repo)
    pr = api.create_pull_request(repo, title="Test Pull Request")
    assert (pr.num, pr.is_pull_request, pr.status, pr.author) == (1, True, "draft", "demo"), pr
    assert pr.git_reference == "refs/pr/1" and pr.target_branch == "refs/heads/main", pr
    assert api.model_info(repo, revision="refs/pr/1").sha == api.model_info(repo).sha
    discussion = api.create_discussion(repo, title=" Test discussion !  ", description="First words")
    assert (discussion.num, discussion.title, discussion.is_pull_request) == (2, "Test discussion !", False)
    assert [d.num for d in api.get_repo_discussions(repo)] == [2, 1]
    assert [d.num for d in api.get_repo_discussions(repo, discussion_type="pull_request")] == [1]
    assert [d.num for d in api.get_repo_discussions(repo, author="nobody")] == []
    assert api.get_discussion_details(repo, 2) == discussion

    said = api.comment_discussion(repo, 2, "# A comment\n\n**bold** & <b>")
    first = [e for e in discussion.events if e.type == "comment"][0]
    edited = api.edit_discussion_comment(repo, 2, first.id, "**Edited** comment 🤗")
    renamed = api.rename_discussion(repo, 2, "New title")
    closed = api.change_discussion_status(repo, 2, "closed", comment="done")
    details = api.get_discussion_details(repo, 2)
    ids = [e.id for e in details.events]
    assert said.id in ids and renamed.id in ids and closed.id in ids, details.events
    comment = next(e for e in details.events if e.id == first.id)
    assert comment.edited and comment.content == "**Edited** comment 🤗" and comment == edited, comment
    assert (renamed.old_title, renamed.new_title, details.title) == ("Test discussion !", "New title", "New title")
    assert details.status == "closed" and closed.new_status == "closed"
    assert [d.num for d in api.get_repo_discussions(repo, discussion_status="closed")] == [2]
    assert [d.num for d in api.get_repo_discussions(repo, discussion_status="open")] == [1]

    api.create_commit(repo, operations=[CommitOperationAdd("file.test", b"Content")], commit_message="Commit some file",
                      revision=pr.git_reference)
    api.change_discussion_status(repo, 1, "open")
    api.merge_pull_request(repo, 1)
    merged = api.get_discussion_details(repo, 1)
    assert merged.status == "merged" and merged.merge_commit_oid == api.model_info(repo).sha, merged
    assert any(e.type == "commit" and e.summary == "Commit some file" for e in merged.events), merged.events
    assert "file.test" in api.list_repo_files(repo)
    assert api.list_repo_commits(repo)[0].title == "Test Pull Request (#1)"


@check
def create_pr_commits_are_pull_requests():
    repo = "demo/conformance-discussions"
    info = api.upload_file(path_or_fileobj=b"from a PR", path_in_repo="proposed.txt", repo_id=repo, create_pr=True,
                           commit_message="Propose a file", commit_description="Please merge")
    assert info.pr_num == 3, info
    pr = api.get_discussion_details(repo, info.pr_num)
    assert (pr.is_pull_request, pr.status, pr.title, pr.target_branch) == (True, "open", "Propose a file",
                                                                           "refs/heads/main"), pr
    assert [e.oid for e in pr.events if e.type == "commit"] == [info.oid], pr.events
    assert [e.content for e in pr.events if e.type == "comment"] == ["Please merge"]
    assert pr.conflicting_files == []
    assert 3 in [d.num for d in api.get_repo_discussions(repo, discussion_type="pull_request")]
    # main changes the same path another way: the PR now conflicts and cannot merge
    api.upload_file(path_or_fileobj=b"from main", path_in_repo="proposed.txt", repo_id=repo)
    assert api.get_discussion_details(repo, 3).conflicting_files == ["proposed.txt"]
    err = raises(HfHubHTTPError, lambda: api.merge_pull_request(repo, 3))
    assert err.response.status_code == 409, err
    # a PR that does not touch main's change merges on top of it
    other = api.upload_file(path_or_fileobj=b"other", path_in_repo="other.txt", repo_id=repo, create_pr=True)
    api.merge_pull_request(repo, other.pr_num, comment="thanks")
    assert {"proposed.txt", "other.txt", "file.test"} <= set(api.list_repo_files(repo))
    with open(hf_hub_download(repo, "proposed.txt"), "rb") as f:
        assert f.read() == b"from main"


@check
def discussions_follow_repo_visibility_and_rights():
    stranger = HfApi(token=STRANGER)
    api.create_repo("demo/conformance-discussions-private", private=True)
    api.create_discussion("demo/conformance-discussions-private", title="secret")
    raises(RepositoryNotFoundError, lambda: list(stranger.get_repo_discussions("demo/conformance-discussions-private")))
    raises(RepositoryNotFoundError, lambda: stranger.get_discussion_details("demo/conformance-discussions-private", 1))
    public = "demo/conformance-discussions"
    theirs = stranger.create_discussion(public, title="From a stranger")
    assert theirs.author == "stranger"
    stranger.rename_discussion(public, theirs.num, "Renamed by its author")
    err = raises(HfHubHTTPError, lambda: stranger.rename_discussion(public, 2, "Not mine"))
    assert err.response.status_code == 403, err
    err = raises(HfHubHTTPError, lambda: stranger.merge_pull_request(public, 3))
    assert err.response.status_code == 403, err
    err = raises(HfHubHTTPError, lambda: HfApi(token=READ).comment_discussion(public, 2, "read tokens cannot post"))
    assert err.response.status_code == 403, err


@check
def discussions_list_is_paginated():
    repo = "demo/conformance-discussions-many"
    api.create_repo(repo)
    for i in range(52):
        api.create_discussion(repo, title=f"discussion {i + 1}")
    nums = [d.num for d in api.get_repo_discussions(repo)]
    assert nums == list(range(52, 0, -1)), nums


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
def list_models_and_datasets():
    # Created in this order; the first gets a second commit, so it is the last modified.
    for name in ("demo/list-alpha", "demo/list-beta"):
        api.create_repo(name, exist_ok=True)
    api.create_repo("demo/list-secret", private=True, exist_ok=True)
    api.create_repo("demo/list-data", repo_type="dataset", exist_ok=True)
    time.sleep(1.1)  # commit times have one-second resolution
    api.upload_file(path_or_fileobj=b"again", path_in_repo="again.txt", repo_id="demo/list-alpha")
    ids = lambda models: [m.id for m in models]  # noqa: E731
    mine = ids(api.list_models(author="demo", search="list-"))
    assert mine == ["demo/list-alpha", "demo/list-beta", "demo/list-secret"], mine
    theirs = ids(HfApi(token=STRANGER).list_models(author="demo", search="LIST-"))
    assert theirs == ["demo/list-alpha", "demo/list-beta"], theirs
    assert ids(api.list_models(search="list-be")) == ["demo/list-beta"]
    assert ids(api.list_models(author="nobody-here")) == []
    assert len(ids(api.list_models(author="demo", search="list-", limit=2))) == 2
    newest = ids(api.list_models(author="demo", search="list-", sort="last_modified"))
    assert newest[0] == "demo/list-alpha", newest
    by_creation = ids(api.list_models(author="demo", search="list-", sort="created_at"))
    assert by_creation == ["demo/list-secret", "demo/list-beta", "demo/list-alpha"], by_creation
    assert ids(api.list_datasets(author="demo", search="list-")) == ["demo/list-data"]
    first = next(iter(api.list_models(search="list-alpha")))
    assert first.private is False and first.created_at is not None, first


@check
def gated_repo_files_need_access():
    gated = "demo/list-gated"
    api.create_repo(gated, exist_ok=True)
    api.upload_file(path_or_fileobj=b"behind the gate\n", path_in_repo="g.txt", repo_id=gated)
    api.update_repo_settings(gated, gated="auto")
    stranger = HfApi(token=STRANGER)
    assert stranger.model_info(gated).gated == "auto", "metadata stays public"
    raises(GatedRepoError, lambda: stranger.get_paths_info(gated, ["g.txt"]))
    raises(GatedRepoError, lambda: hf_hub_download(gated, "g.txt", token=STRANGER))
    assert [i.path for i in api.get_paths_info(gated, ["g.txt"])] == ["g.txt"], "the owner reads it"


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
