// SHA-256: digests from FIPS 180-2 (Appendix B) and, for large inputs, the runtime's own WebCrypto.
import { createSha256, HubError, InvalidInputError, ready, sha256, SourceReadError } from "hubwasm";
import { equal, ok, rejects, throws } from "../lib/assert.js";

const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const TWO_BLOCK_MSG = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const TWO_BLOCK = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
const MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

const text = (s) => new TextEncoder().encode(s);

/** Deterministic pseudo-random bytes (xorshift32), so every runtime hashes the same input. */
function pseudoRandomBytes(length, seed = 0x9e3779b9) {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

async function webCryptoHex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function streamOf(chunks) {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
}

function pieces(bytes, size) {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export default [
  {
    name: "sha256: ready resolves once the module is loaded",
    async run() {
      equal(await ready, undefined);
    },
  },
  {
    name: "sha256: FIPS 180-2 vectors from a Uint8Array",
    async run() {
      equal(await sha256(new Uint8Array(0)), EMPTY, "empty");
      equal(await sha256(text("abc")), ABC, "abc");
      equal(await sha256(text(TWO_BLOCK_MSG)), TWO_BLOCK, "two blocks");
      equal(await sha256(new Uint8Array(1_000_000).fill(0x61)), MILLION_A, "a million 'a'");
    },
  },
  {
    name: "sha256: ArrayBuffer, DataView and a Uint8Array view with an offset",
    async run() {
      equal(await sha256(text("abc").buffer), ABC, "ArrayBuffer");
      const padded = text("xxabcyy");
      equal(await sha256(new DataView(padded.buffer, 2, 3)), ABC, "DataView");
      equal(await sha256(padded.subarray(2, 5)), ABC, "subarray");
    },
  },
  {
    name: "sha256: Blob input, including a multi-block Blob",
    async run() {
      equal(await sha256(new Blob([text("ab"), text("c")])), ABC);
      equal(await sha256(new Blob([new Uint8Array(1_000_000).fill(0x61)])), MILLION_A);
      const big = pseudoRandomBytes(9 * 1024 * 1024 + 17);
      equal(await sha256(new Blob([big])), await webCryptoHex(big), "9 MiB Blob");
    },
  },
  {
    name: "sha256: ReadableStream input with odd chunk sizes",
    async run() {
      equal(await sha256(streamOf([])), EMPTY, "empty stream");
      equal(await sha256(streamOf(pieces(new Uint8Array(1_000_000).fill(0x61), 4093))), MILLION_A);
      const big = pseudoRandomBytes(5 * 1024 * 1024 + 3);
      equal(await sha256(streamOf([big.subarray(0, 1), big.subarray(1)])), await webCryptoHex(big), "5 MiB stream");
    },
  },
  {
    name: "sha256: a large Uint8Array crosses internal block boundaries",
    async run() {
      const big = pseudoRandomBytes(12 * 1024 * 1024 + 5);
      equal(await sha256(big), await webCryptoHex(big));
    },
  },
  {
    name: "createSha256: incremental updates match one-shot, digest() does not end the hasher",
    async run() {
      const hasher = createSha256();
      equal(hasher.digest(), EMPTY, "nothing hashed");
      for (const piece of pieces(text(TWO_BLOCK_MSG), 7)) hasher.update(piece);
      equal(hasher.digest(), TWO_BLOCK);
      equal(hasher.digest(), TWO_BLOCK, "digest twice");
      equal(hasher.bytesHashed, TWO_BLOCK_MSG.length);
      const big = pseudoRandomBytes(6 * 1024 * 1024 + 1);
      const second = createSha256();
      second.update(big.buffer);
      equal(second.digest(), await webCryptoHex(big), "6 MiB ArrayBuffer in one update");
      second.free();
      hasher.free();
    },
  },
  {
    name: "errors: wrong input types reject with InvalidInputError",
    async run() {
      for (const bad of [null, undefined, 42, "abc", { length: 3 }, [1, 2, 3]]) {
        const error = await rejects(sha256(bad), { instanceOf: InvalidInputError, name: "InvalidInputError", code: "INVALID_INPUT" });
        ok(error instanceof HubError && error instanceof Error, "is a HubError and an Error");
        ok(/sha256\(\) input must be one of/.test(error.message), error.message);
      }
      throws(() => createSha256().update("abc"), { instanceOf: InvalidInputError, code: "INVALID_INPUT" });
    },
  },
  {
    name: "errors: a stream of strings is rejected and cancelled",
    async run() {
      let cancelled = false;
      const stream = new ReadableStream({
        pull(controller) {
          controller.enqueue("not bytes");
        },
        cancel() {
          cancelled = true;
        },
      });
      await rejects(sha256(stream), { instanceOf: InvalidInputError, message: /stream chunks must be Uint8Array/ });
      ok(cancelled, "the source stream was cancelled");
    },
  },
  {
    name: "errors: a failing stream rejects with SourceReadError carrying the cause",
    async run() {
      const boom = new Error("disk on fire");
      let sent = false;
      const stream = new ReadableStream({
        pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(text("abc"));
          } else controller.error(boom);
        },
      });
      const error = await rejects(sha256(stream), { instanceOf: SourceReadError, code: "SOURCE_READ_FAILED" });
      equal(error.cause, boom, "cause");
    },
  },
  {
    name: "sha256: long inputs yield to the event loop while hashing",
    async run() {
      let timerFired = false;
      setTimeout(() => (timerFired = true), 0);
      const big = pseudoRandomBytes(40 * 1024 * 1024);
      const pending = sha256(big).then((hex) => ({ hex, timerFiredFirst: timerFired }));
      const { hex, timerFiredFirst } = await pending;
      ok(timerFiredFirst, "a timer set before the call ran before the digest was ready");
      equal(hex, await webCryptoHex(big));
    },
  },
];
