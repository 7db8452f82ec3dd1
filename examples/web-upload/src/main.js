// Upload files or a folder to a Hub repo as one commit, from a page. Everything heavy (reading the
// files, SHA-256 and Xet chunking, the uploads) runs in hubwasm's own Web Worker (`hubwasm/worker`),
// so the page keeps rendering; a File crosses to the Worker by reference, no bytes are copied.
// ?hub=…&token=…&repo=… fill the settings (the test suite opens the page that way).
import { AbortError, HubClient } from "hubwasm/worker";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$("hub-url").value = params.get("hub") ?? "";
$("token").value = params.get("token") ?? "";
$("repo").value = params.get("repo") ?? "";

const mib = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
const selected = new Map(); // path in the repo → File
let rows = new Map(); // path → { bar, note }
let controller;

function setState(state, text) {
  document.body.dataset.state = state;
  $("status").textContent = text;
}

function client() {
  const hubUrl = $("hub-url").value.trim() || undefined;
  const accessToken = $("token").value.trim() || undefined;
  return new HubClient({ hubUrl, accessToken });
}

function render() {
  const list = $("file-list");
  list.replaceChildren();
  rows = new Map();
  for (const [path, file] of selected) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = `${path} (${mib(file.size)})`;
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    const note = document.createElement("span");
    note.className = "muted";
    item.append(name, bar, note);
    list.append(item);
    rows.set(path, { bar, note, size: file.size, stored: 0, deduplicated: 0 });
  }
  $("start").disabled = selected.size === 0;
  setState("idle", selected.size === 0 ? "Pick files to upload." : `${selected.size} file(s) ready.`);
}

function addFiles(files) {
  for (const file of files) selected.set(file.webkitRelativePath || file.name, file);
  render();
}

$("files").addEventListener("change", (e) => addFiles(e.target.files));
$("folder").addEventListener("change", (e) => addFiles(e.target.files));

// A dropped folder arrives as directory entries: walk them, keeping the folder-relative paths.
async function filesOfEntry(entry, prefix = "") {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [[`${prefix}${file.name}`, file]];
  }
  const reader = entry.createReader();
  const out = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    for (const child of batch) out.push(...(await filesOfEntry(child, `${prefix}${entry.name}/`)));
  }
}

const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", async (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const entries = [...e.dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return addFiles(e.dataTransfer.files);
  for (const entry of entries) for (const [path, file] of await filesOfEntry(entry)) selected.set(path, file);
  render();
});

function showStats() {
  let total = 0;
  let stored = 0;
  let deduplicated = 0;
  for (const row of rows.values()) {
    total += row.size;
    stored += row.stored;
    deduplicated += row.deduplicated;
  }
  $("overall").value = total === 0 ? 0 : stored / total;
  document.body.dataset.progress = String($("overall").value);
  $("stats").textContent =
    `${mib(stored)} of ${mib(total)} stored; ${mib(deduplicated)} deduplicated (already on the Hub), ` +
    `${mib(Math.max(0, stored - deduplicated))} sent`;
}

function onProgress(event) {
  if (event.event === "phase") {
    $("status").textContent = { preuploading: "Checking which files are new…", uploadingLargeFiles: "Uploading…", committing: "Committing…" }[event.phase] ?? event.phase;
    return;
  }
  const row = rows.get(event.path);
  if (event.event !== "fileProgress" || row === undefined) return;
  if (event.state === "hashing") row.note.textContent = `hashing ${Math.round(100 * event.progress)}%`;
  if (event.state === "uploading") {
    row.stored = event.loaded;
    row.bar.value = event.total === 0 ? 1 : event.loaded / event.total;
    row.note.textContent = `stored ${Math.round(100 * row.bar.value)}%`;
  }
  if (event.state === "deduplicated") row.deduplicated = event.loaded;
  showStats();
}

$("start").addEventListener("click", async () => {
  const repo = $("repo").value.trim();
  controller = new AbortController();
  $("start").disabled = true;
  $("abort").disabled = false;
  setState("uploading", "Starting…");
  const operations = [...selected].map(([path, content]) => ({ operation: "addOrUpdate", path, content }));
  try {
    const { commit } = await client().commit({
      repo,
      title: `Upload ${operations.length} file(s) from the browser`,
      operations,
      abortSignal: controller.signal,
      onProgress,
    });
    for (const row of rows.values()) {
      row.stored = row.size;
      row.bar.value = 1;
      row.note.textContent = "committed";
    }
    showStats();
    document.body.dataset.commit = commit.oid;
    setState("done", `Committed ${commit.oid.slice(0, 10)}: ${commit.url}`);
  } catch (error) {
    if (error instanceof AbortError) setState("aborted", "Aborted: nothing was committed.");
    else setState("failed", `${error.name}: ${error.message}`);
  } finally {
    $("abort").disabled = true;
    $("start").disabled = selected.size === 0;
  }
});

$("abort").addEventListener("click", () => controller?.abort());

$("download").addEventListener("click", async () => {
  const status = $("download-status");
  const bar = $("download-progress");
  const path = $("download-path").value.trim();
  bar.value = 0;
  status.textContent = "Downloading…";
  document.body.dataset.download = "running";
  try {
    const file = await client().downloadFile({
      repo: $("repo").value.trim(),
      path,
      onProgress: ({ loaded, total }) => (bar.value = total ? loaded / total : 1),
    });
    let received = 0;
    for await (const chunk of file.stream()) received += chunk.byteLength;
    bar.value = 1;
    const cache = file.fromCache === undefined ? "no cache" : file.fromCache ? "from the cache" : "fetched, now cached";
    status.textContent = `${path}: ${received} bytes at ${file.commit.slice(0, 10)} (${cache})`;
    document.body.dataset.download = "done";
    document.body.dataset.downloadBytes = String(received);
  } catch (error) {
    status.textContent = `${error.name}: ${error.message}`;
    document.body.dataset.download = "failed";
  }
});
