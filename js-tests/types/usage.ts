// The public API used as a TypeScript user would; `tsc --noEmit` must accept it. The
// `@ts-expect-error` lines prove the types are precise (they fail if a type degrades to `any`).
import {
  AbortError,
  type CommitData,
  createSha256,
  createXetHasher,
  createXetUploadPlanner,
  EntryNotFoundError,
  type FileDownloadInfo,
  ForbiddenError,
  GatedRepoError,
  HubApiError,
  HubClient,
  HubError,
  IntegrityError,
  InternalError,
  InvalidInputError,
  InvalidStateError,
  type ListFileEntry,
  NetworkError,
  RateLimitedError,
  ready,
  type RefsInfo,
  RepoNotFoundError,
  type RepoDesignation,
  type RepoInfo,
  RevisionNotFoundError,
  sha256,
  Sha256Hasher,
  SourceReadError,
  UnauthorizedError,
  type WhoAmI,
  xetHash,
  type XetFileDigest,
  type XetPlannedFile,
  type XetUploadStats,
  type XetXorb,
} from "hubwasm";

export async function usage(file: Blob, stream: ReadableStream<Uint8Array>): Promise<string[]> {
  await ready;
  const digests: string[] = [];
  digests.push(await sha256(file));
  digests.push(await sha256(stream));
  digests.push(await sha256(new Uint8Array([1, 2, 3])));
  digests.push(await sha256(new ArrayBuffer(8)));

  const hasher: Sha256Hasher = createSha256();
  hasher.update(new Uint8Array(4));
  const hashed: number = hasher.bytesHashed;
  digests.push(hasher.digest(), String(hashed));
  hasher.free();

  try {
    // @ts-expect-error a number is not a byte source
    await sha256(42);
  } catch (error) {
    if (error instanceof InvalidInputError || error instanceof SourceReadError) {
      const code: string = error.code;
      const status: number | undefined = error.status;
      digests.push(code, String(status));
    } else if (error instanceof HubError) {
      const requestId: string | undefined = error.requestId;
      digests.push(String(requestId));
    }
  }
  const digest: XetFileDigest = await xetHash(file);
  const legacy = await xetHash(stream, { boundaryRule: "legacy" });
  const oid: string | null = digest.sha256;
  digests.push(digest.hash, oid ?? "", String(digest.size), legacy.chunks.map((c) => `${c.hash}:${c.size}`).join());
  // @ts-expect-error only "current" and "legacy" are rules
  await xetHash(file, { boundaryRule: "fast" });
  const light = await xetHash(file, { sha256: false });
  digests.push(String(light.sha256));
  const xet = createXetHasher();
  xet.update(new Uint8Array(3));
  const finished: XetFileDigest = xet.finish();
  digests.push(finished.hash, String(new InvalidStateError("x").code));

  const planner = createXetUploadPlanner();
  planner.update(new Uint8Array(10));
  const planned: XetPlannedFile = planner.finishFile();
  const shard: Uint8Array | undefined = planner.finish();
  for (let x: XetXorb | undefined = planner.takeXorb(); x; x = planner.takeXorb()) {
    digests.push(x.hash, String(x.bytes.byteLength + x.chunkCount));
  }
  const stats: XetUploadStats = planner.stats;
  digests.push(planned.sha256, String(shard?.byteLength), String(stats.deduplicatedBytes));

  // @ts-expect-error the classes are types only: instances come from createSha256() and friends
  digests.push(String(Sha256Hasher));
  digests.push(new InternalError("bug").code);

  // @ts-expect-error digest() returns a string, not a Promise
  digests.push((hasher.digest() as Promise<string>).then);
  return digests;
}

// HubClient: every method with its options and results, and the typed errors a caller branches on.
export async function hubUsage(signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  const hub = new HubClient({
    accessToken: "hf_x",
    hubUrl: "http://127.0.0.1:8080",
    fetch: (input, init) => fetch(input, init),
    userAgent: "usage/1",
    maxRetries: 2,
  });
  new HubClient();
  // @ts-expect-error maxRetries is a number
  new HubClient({ maxRetries: "3" });

  const me: WhoAmI = await hub.whoAmI();
  out.push(me.name, String(me.orgs?.length), (await hub.whoAmI({ abortSignal: signal })).type);
  const repo: RepoDesignation = { type: "dataset", name: "org/data" };
  const info: RepoInfo = await hub.modelInfo({ repo: "org/model", revision: "main", expand: ["sha"], abortSignal: signal });
  out.push(info.id, String(info.sha), String(info.gated));
  out.push((await hub.datasetInfo({ repo })).id, (await hub.spaceInfo({ repo: "spaces/org/app" })).id);
  // @ts-expect-error expand is a list of property names
  await hub.modelInfo({ repo: "org/model", expand: "sha" });
  // @ts-expect-error repo is required
  await hub.modelInfo({ revision: "main" });

  const exists: boolean = await hub.repoExists({ repo: "org/model", revision: "dev" });
  const fileThere: boolean = await hub.fileExists({ repo: "org/model", path: "config.json", revision: "main" });
  out.push(String(exists && fileThere));

  for await (const entry of hub.listFiles({ repo: "org/model", path: "nested", recursive: true, expand: true, abortSignal: signal })) {
    const e: ListFileEntry = entry;
    out.push(e.path, e.type, String(e.size), e.lfs?.oid ?? "", e.xetHash ?? "", e.lastCommit?.id ?? "");
  }
  const files = hub.listFiles({ repo: "org/model" });
  const first: IteratorResult<ListFileEntry, undefined> = await files.next();
  if (!first.done) out.push(first.value.oid);
  await files.return();

  const paths: ListFileEntry[] = await hub.pathsInfo({ repo: "org/model", paths: ["a", "b/c"], expand: false });
  out.push(String(paths.length));
  for await (const commit of hub.listCommits({ repo: "org/model", revision: "main", batchSize: 10, limit: 3 })) {
    const c: CommitData = commit;
    out.push(c.id, c.title, c.date, c.authors.map((a) => a.user).join());
  }
  const refs: RefsInfo = await hub.listRefs({ repo: "org/model", includePullRequests: true });
  out.push(...refs.branches.map((b) => b.targetCommit), ...(refs.pullRequests ?? []).map((p) => p.ref));
  for await (const model of hub.listModels({ search: "bert", author: "org", limit: 5, abortSignal: signal })) out.push(model.id);
  for await (const dataset of hub.listDatasets()) out.push(dataset.id);

  const dl: FileDownloadInfo = await hub.fileDownloadInfo({ repo: "org/model", path: "model.safetensors" });
  const kind: "regular" | "lfs" | "xet" = dl.kind;
  out.push(kind, dl.etag, dl.commit, String(dl.size), dl.xetHash ?? "", dl.xet?.reconstructionUrl ?? "", dl.lfs?.oid ?? "");
  // @ts-expect-error path is required
  await hub.fileDownloadInfo({ repo: "org/model" });

  try {
    await hub.modelInfo({ repo: "org/missing" });
  } catch (error) {
    if (error instanceof RateLimitedError) out.push(String(error.retryAfter ?? 0), String(error.status));
    else if (error instanceof RepoNotFoundError || error instanceof RevisionNotFoundError || error instanceof EntryNotFoundError)
      out.push(error.serverMessage, String(error.requestId));
    else if (error instanceof GatedRepoError || error instanceof UnauthorizedError || error instanceof ForbiddenError)
      out.push(String(error.status satisfies number));
    else if (error instanceof HubApiError) out.push(error.code);
    else if (error instanceof AbortError || error instanceof NetworkError || error instanceof IntegrityError) out.push(error.name);
  }
  hub.free();
  return out;
}

// The write path (issue #12): repos, refs, commits.
import {
  type CommitOutput,
  type CommitProgressEvent,
  ConflictError,
  type CreateRepoOutput,
  PayloadTooLargeError,
} from "hubwasm";

export async function writePath(hub: HubClient, file: File, signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  const created: CreateRepoOutput = await hub.createRepo({ repo: "org/new", private: true, existOk: true });
  out.push(created.repoUrl, created.id);
  await hub.createRepo({ repo: { type: "space", name: "org/app" }, sdk: "static", abortSignal: signal });
  await hub.updateRepoSettings({ repo: "org/new", private: false, gated: "auto" });
  await hub.moveRepo({ fromRepo: "org/new", toRepo: "org/renamed" });
  await hub.createBranch({ repo: "org/renamed", branch: "dev", revision: "main", empty: false, overwrite: true });
  await hub.createTag({ repo: "org/renamed", tag: "v1", revision: "dev", message: "first", existOk: true });
  const events: CommitProgressEvent[] = [];
  const done: CommitOutput = await hub.commit({
    repo: "org/renamed",
    title: "Add",
    description: "several kinds of content",
    branch: "dev",
    isPullRequest: true,
    useXet: false,
    uploadMemory: 32 * 1024 * 1024,
    abortSignal: signal,
    onProgress: (e) => events.push(e),
    operations: [
      { operation: "addOrUpdate", path: "a.bin", content: file },
      { operation: "addOrUpdate", path: "b.txt", content: "text" },
      { operation: "addOrUpdate", path: "c.bin", content: new Uint8Array(3) },
      { operation: "addOrUpdate", path: "d.bin", content: new URL("file:///tmp/d.bin") },
      { operation: "delete", path: "old/" },
      { operation: "copy", path: "e.bin", from: "a.bin" },
    ],
  });
  out.push(done.commit.oid, done.commit.url, done.pullRequestUrl ?? "", done.hookOutput);
  for (const e of events) out.push(e.event === "phase" ? e.phase : `${e.path} ${e.state} ${e.loaded}/${e.total}`);
  const iterator = hub.commitIter({ repo: "org/renamed", title: "t", operations: [{ operation: "delete", path: "x" }] });
  let step = await iterator.next();
  while (!step.done) step = await iterator.next();
  out.push(step.value.commit.oid);
  // @ts-expect-error a copy needs `from`
  await hub.commit({ repo: "org/renamed", title: "t", operations: [{ operation: "copy", path: "x" }] });
  await hub.uploadFile({ repo: "org/renamed", file, commitTitle: "one" });
  await hub.uploadFiles({ repo: "org/renamed", files: [file, { path: "p", content: "q" }, new URL("file:///tmp/x")] });
  await hub.deleteFile({ repo: "org/renamed", path: "p", parentCommit: done.commit.oid });
  await hub.deleteFiles({ repo: "org/renamed", paths: ["a", "b"] });
  await hub.deleteBranch({ repo: "org/renamed", branch: "dev" });
  await hub.deleteTag({ repo: "org/renamed", tag: "v1" });
  await hub.deleteRepo({ repo: "org/renamed", missingOk: true });
  try {
    await hub.commit({ repo: "org/renamed", title: "t", parentCommit: "0".repeat(40), operations: [] });
  } catch (error) {
    if (error instanceof ConflictError || error instanceof PayloadTooLargeError) out.push(String(error.status), error.serverMessage);
  }
  return out;
}

// The blob cache (issue #11): its options, a store of one's own, scan and delete, its errors.
export async function cacheUsage(store: import("hubwasm").CacheStore): Promise<string[]> {
  const hubwasm = await import("hubwasm");
  const hub = new hubwasm.HubClient({ cache: "auto", cacheDir: "/tmp/hf", onWarning: (w) => console.warn(w.message) });
  new hubwasm.HubClient({ cache: store, offline: true });
  new hubwasm.HubClient({ cache: "memory" });
  new hubwasm.HubClient({ cache: false });
  // @ts-expect-error cache is "auto", "memory", false or a store
  new hubwasm.HubClient({ cache: "disk" });
  const file = await hub.downloadFile({ repo: "org/model", path: "config.json" });
  const cached: boolean = file.fromCache;
  const contentRange: string = `bytes ${file.rangeStart}-${file.rangeStart + file.size - 1}/${file.fileSize}`;
  const scan: import("hubwasm").CacheScan | undefined = await hub.cache?.scan();
  const freed: number = (await hub.cache!.delete({ repo: "org/model", revision: "main" })).freed;
  const out = [contentRange, String(cached), String(scan?.sizeOnDisk), String(scan?.repos[0]?.revisions[0]?.refs), String(freed)];
  try {
    await hub.downloadFile({ repo: "org/model", path: "x" });
  } catch (error) {
    if (error instanceof hubwasm.LocalEntryNotFoundError || error instanceof hubwasm.CacheError) out.push(error.code);
  }
  return out;
}

// InferenceClient (issue #13): streamed chat, tasks and its error classes.
import {
  type ChatCompletionStreamOutput,
  InferenceClient,
  InferenceInputError,
  ProviderApiError,
  ProviderOutputError,
  RoutingError,
} from "hubwasm";

export async function inferenceUsage(signal: AbortSignal): Promise<string> {
  const ai = new InferenceClient({ accessToken: "hf_x", provider: "auto", providerUrls: { together: "https://t" } });
  let text = "";
  for await (const chunk of ai.chatCompletionStream({ model: "m", messages: [{ role: "user", content: "hi" }], abortSignal: signal })) {
    const typed: ChatCompletionStreamOutput = chunk;
    text += typed.choices[0]?.delta?.content ?? "";
  }
  const out = await ai.chatCompletion({ model: "m", messages: [{ role: "user", content: "hi" }] }, { signal });
  const image: Blob = await ai.textToImage({ model: "m", inputs: "a cat" });
  const vector = await ai.featureExtraction({ model: "m", inputs: "x" });
  const heard: { text: string } = await ai.automaticSpeechRecognition({ model: "m", data: image });
  try {
    await ai.textClassification({ model: "m", inputs: "x" });
  } catch (e) {
    if (e instanceof ProviderApiError) text += `${e.status} ${e.request.headers.authorization} ${e.response.requestId}`;
    if (e instanceof RoutingError || e instanceof ProviderOutputError || e instanceof InferenceInputError) text += e.code;
  }
  // @ts-expect-error messages is required
  await ai.chatCompletion({ model: "m" });
  return text + (out.choices[0].message.content ?? "") + vector.length + heard.text;
}
