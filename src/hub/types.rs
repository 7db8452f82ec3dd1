//! The TypeScript types of HubClient's options and results, checked by js-tests/types/usage.ts.
//! Results that are the Hub's own JSON (repo info, whoami, commits, refs) keep its field names.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const HUB_CLIENT_TYPES: &str = r#"
/** A repo: `"org/name"` (a model), `"datasets/org/name"`, `"spaces/org/name"`, or `{ type, name }`. */
export type RepoDesignation = string | { type: "model" | "dataset" | "space"; name: string };

export interface HubClientOptions {
  /** A Hub token (`hf_…`), sent as `Authorization: Bearer` to the Hub's origin only. */
  accessToken?: string;
  /** Default `https://huggingface.co`. */
  hubUrl?: string;
  /** Used instead of the global `fetch` for every request. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  userAgent?: string;
  /** Retries of a request after 429, 5xx or a network failure (default 5, at most 20). */
  maxRetries?: number;
}

export interface RepoOptions {
  repo: RepoDesignation;
  abortSignal?: AbortSignal;
}

export interface RepoInfoOptions extends RepoOptions {
  /** A branch, tag, commit sha or `refs/pr/N`; default the repo's default branch. */
  revision?: string;
  /** Only these properties (plus `_id` and `id`), e.g. `["sha", "siblings"]`. */
  expand?: string[];
}

export interface RepoExistsOptions extends RepoOptions {
  revision?: string;
}

export interface FileOptions extends RepoOptions {
  path: string;
  /** Default `main`. */
  revision?: string;
}

export interface PathsInfoOptions extends RepoOptions {
  paths: string[];
  revision?: string;
  /** Add `lastCommit` to each entry. */
  expand?: boolean;
}

export interface ListFilesOptions extends RepoOptions {
  revision?: string;
  /** A folder to list instead of the root. */
  path?: string;
  recursive?: boolean;
  /** Add `lastCommit` to each entry (smaller pages). */
  expand?: boolean;
}

export interface ListCommitsOptions extends RepoOptions {
  revision?: string;
  /** Commits per page (default 100, at most 1000). */
  batchSize?: number;
  /** Stop after this many commits. */
  limit?: number;
}

export interface ListRefsOptions extends RepoOptions {
  /** Include `pullRequests` (default true). */
  includePullRequests?: boolean;
}

export interface ListReposOptions {
  search?: string;
  author?: string;
  /** Stop after this many repos. */
  limit?: number;
  abortSignal?: AbortSignal;
}

/** What the listings return: `for await (const x of it)`; a `break` stops fetching pages. */
export interface HubAsyncIterator<T> extends AsyncIterableIterator<T> {
  next(): Promise<IteratorResult<T, undefined>>;
  return(value?: unknown): Promise<IteratorResult<T, undefined>>;
}

export interface ListFileEntry {
  type: "file" | "directory" | "unknown";
  /** Git object id: the blob's (the pointer's for LFS files) or the folder's. */
  oid: string;
  /** The content's size (not the pointer's); 0 for folders. */
  size: number;
  path: string;
  lfs?: { oid: string; size: number; pointerSize: number };
  /** For files stored in Xet. */
  xetHash?: string;
  /** With `expand: true`. */
  lastCommit?: { id: string; title: string; date: string };
}

/** The Hub's repo info JSON, as it sent it. */
export interface RepoInfo {
  _id?: string;
  id: string;
  author?: string;
  sha?: string;
  private?: boolean;
  gated?: false | "auto" | "manual";
  disabled?: boolean;
  lastModified?: string;
  createdAt?: string;
  downloads?: number;
  likes?: number;
  tags?: string[];
  siblings?: { rfilename: string; size?: number; blobId?: string }[];
  [key: string]: unknown;
}

/** The Hub's `whoami-v2` JSON. */
export interface WhoAmI {
  type: "user" | "org" | "app";
  id?: string;
  name: string;
  fullname?: string;
  email?: string;
  orgs?: { name: string; fullname?: string; id?: string; [key: string]: unknown }[];
  auth?: { type: string; accessToken?: { displayName: string; role: string } };
  [key: string]: unknown;
}

/** One commit of a listing, as the Hub sends it. */
export interface CommitData {
  id: string;
  title: string;
  message: string;
  authors: { user: string; avatar?: string }[];
  /** ISO-8601. */
  date: string;
  [key: string]: unknown;
}

export interface RefInfo {
  name: string;
  ref: string;
  targetCommit: string;
}

export interface RefsInfo {
  branches: RefInfo[];
  tags: RefInfo[];
  converts: RefInfo[];
  /** With `includePullRequests` (the default). */
  pullRequests?: RefInfo[];
}

export interface FileDownloadInfo {
  path: string;
  size: number;
  /** The Hub's ETag without quotes: sha256 of LFS and Xet content, else the git blob id. */
  etag: string;
  /** The commit the revision resolved to. */
  commit: string;
  kind: "regular" | "lfs" | "xet";
  /** The git blob id (the pointer file's, for LFS and Xet content). */
  oid: string;
  lfs: { oid: string; size: number; pointerSize: number } | null;
  xetHash: string | null;
  /** For Xet files: where a read token comes from, and the file's reconstruction. */
  xet: { refreshUrl: string; reconstructionUrl: string } | null;
}
"#;
