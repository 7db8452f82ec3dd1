// A tour of hubwasm, run by `cargo xtask demo`. Each section shows one capability as a user
// would call it; later features add sections here.
import { createSha256, InvalidInputError, sha256, xetHash } from "hubwasm";

const mib = (bytes) => (bytes / (1024 * 1024)).toFixed(1);

console.log("hubwasm tour — one WebAssembly module for browsers, Workers, Deno and Node\n");

// 1. SHA-256, the digest Git LFS names files by, over any byte source.
console.log("1. SHA-256 (Git LFS object ids)");
const text = new TextEncoder().encode("hello from hubwasm\n");
console.log(`   sha256(Uint8Array)     ${await sha256(text)}`);
console.log(`   sha256(Blob)           ${await sha256(new Blob([text]))}`);
const stream = new Blob([text]).stream();
console.log(`   sha256(ReadableStream) ${await sha256(stream)}`);

const size = 64 * 1024 * 1024;
const big = new Uint8Array(size);
for (let i = 0; i < size; i += 4096) big[i] = i & 0xff;
const started = performance.now();
const digest = await sha256(new Blob([big]));
const seconds = (performance.now() - started) / 1000;
console.log(`   ${mib(size)} MiB Blob         ${digest}  (${(size / 1e6 / seconds).toFixed(0)} MB/s, yielding to the event loop as it goes)`);

const hasher = createSha256();
for (const word of ["hello ", "from ", "hubwasm\n"]) hasher.update(new TextEncoder().encode(word));
console.log(`   createSha256() pieces  ${hasher.digest()}  (${hasher.bytesHashed} bytes, same digest)`);

// 2. Xet: the content-defined chunks and file hash the Hub names large files by (xetHash in tree
//    listings, X-Xet-Hash on downloads), byte-identical to the official hf_xet.
console.log("\n2. Xet file hashes and deduplication");
const original = new Uint8Array(8 * 1024 * 1024);
let x = 2463534242;
for (let i = 0; i < original.length; i++) {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  original[i] = x & 0xff;
}
const xetStarted = performance.now();
const digest1 = await xetHash(new Blob([original]));
const xetSeconds = (performance.now() - xetStarted) / 1000;
console.log(`   xetHash(8 MiB Blob)    ${digest1.hash}`);
console.log(`                          ${digest1.chunks.length} chunks, sha256 ${digest1.sha256.slice(0, 16)}…, ${(original.length / 1e6 / xetSeconds).toFixed(0)} MB/s`);
const edited = original.slice();
edited.fill(0, 4_000_000, 4_000_016); // a 16-byte edit in the middle
const digest2 = await xetHash(edited);
const known = new Set(digest1.chunks.map((c) => c.hash));
const reused = digest2.chunks.filter((c) => known.has(c.hash));
const reusedBytes = reused.reduce((n, c) => n + c.size, 0);
console.log(`   after a 16-byte edit   ${digest2.hash}`);
console.log(`                          ${reused.length}/${digest2.chunks.length} chunks unchanged: ${mib(reusedBytes)} of ${mib(edited.length)} MiB would not be uploaded again`);
const legacy = await xetHash(original, { boundaryRule: "legacy" });
console.log(`   huggingface.js's legacy boundary rule: ${legacy.hash === digest1.hash ? "same hash on this input" : "a different hash: " + legacy.hash}`);

// 3. Typed errors: every failure is a HubError subclass with a stable `name` and `code`.
console.log("\n3. Typed errors");
try {
  await sha256("not bytes");
} catch (error) {
  console.log(`   ${error.name} (code ${error.code}, instanceof InvalidInputError: ${error instanceof InvalidInputError})`);
  console.log(`   message: ${error.message}`);
}

console.log("\nDone.");
