// A tour of hubwasm, run by `cargo xtask demo`. Each section shows one capability as a user
// would call it; later features add sections here.
import { createSha256, InvalidInputError, sha256 } from "hubwasm";

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

// 2. Typed errors: every failure is a HubError subclass with a stable `name` and `code`.
console.log("\n2. Typed errors");
try {
  await sha256("not bytes");
} catch (error) {
  console.log(`   ${error.name} (code ${error.code}, instanceof InvalidInputError: ${error instanceof InvalidInputError})`);
  console.log(`   message: ${error.message}`);
}

console.log("\nDone.");
