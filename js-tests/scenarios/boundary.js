// The wasm boundary against hostile JS values (issue #9): detached buffers, spoofed lengths,
// proxies, SharedArrayBuffer views, throwing getters, wrong types. Every API either reads the
// value's real bytes or gives a typed error, and every object stays usable afterwards. Digests are
// FIPS 180-2's "abc" and the Xet spec's vectors (§9.6), never our own output.
import {
  createSha256,
  createXetHasher,
  createXetUploadPlanner,
  HubError,
  InvalidInputError,
  InvalidStateError,
  sha256,
  xetHash,
} from "hubwasm";
import { equal, ok, rejects, throws } from "../lib/assert.js";
import { periodicBytes } from "../lib/data.js";
import { abc, abcAsync, detach, invalid, invalidAsync, proxiedContainers, skipped } from "../lib/hostile.js";

const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
// huggingface.js's end-to-end vector for periodicBytes(200_000, 7, 13) (spec §9.6).
const PERIODIC_XET = "d88d9e0b760f32c90b7c6592b4cb85251c01bb797371e3c637087b96ac578723";
const text = (s) => new TextEncoder().encode(s);
// FIPS 180-2 Appendix B.3: one million "a".
const MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
const MiB = 1 << 20;

/** Distinct pseudo-random bytes per seed (xorshift32 words), fast enough for hundreds of MiB. */
function randomBytes(length, seed) {
  const words = new Uint32Array(length / 4);
  let x = (seed * 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer);
}

async function webCryptoHex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Replaces `object[key]` with an own property; returns how to undo it, or undefined if refused. */
function patch(object, key, value) {
  const had = Object.getOwnPropertyDescriptor(object, key);
  try {
    Object.defineProperty(object, key, { value, configurable: true, writable: true });
  } catch {
    return undefined;
  }
  if (object[key] !== value) return undefined;
  return () => (had ? Object.defineProperty(object, key, had) : delete object[key]);
}

export default [
  {
    name: "boundary: update() reads the real bytes of views that lie about themselves",
    async run() {
      for (const [label, make] of abc) {
        const hasher = createSha256();
        hasher.update(make());
        equal(hasher.digest(), ABC, label);
        const xet = createXetHasher();
        xet.update(make());
        equal(xet.finish().sha256, ABC, `${label} (XetHasher)`);
      }
    },
  },
  {
    name: "boundary: update() refuses detached, shared, proxied and non-byte values, and the hasher stays usable",
    async run() {
      const hasher = createSha256();
      const xet = createXetHasher();
      const planner = createXetUploadPlanner();
      hasher.update(text("ab"));
      xet.update(text("ab"));
      planner.update(text("ab"));
      for (const [label, make] of invalid) {
        throws(() => hasher.update(make()), { instanceOf: InvalidInputError, code: "INVALID_INPUT" }, `Sha256Hasher, ${label}`);
        throws(() => xet.update(make()), { instanceOf: InvalidInputError }, `XetHasher, ${label}`);
        throws(() => planner.update(make()), { instanceOf: InvalidInputError }, `XetUploadPlanner, ${label}`);
      }
      hasher.update(text("c"));
      equal(hasher.digest(), ABC, "the hasher after every refusal");
      xet.update(text("c"));
      equal(xet.finish().sha256, ABC, "the XetHasher after every refusal");
      planner.update(text("c"));
      equal(planner.finishFile().sha256, ABC, "the planner after every refusal");
      return { notes: skipped.map((reason) => `not checked: ${reason}`) };
    },
  },
  {
    name: "boundary: a detached buffer names the cause",
    async run() {
      throws(() => createSha256().update(detach(new ArrayBuffer(8))), { instanceOf: InvalidInputError, message: /detached/ });
      await rejects(sha256(detach(new ArrayBuffer(8))), { instanceOf: InvalidInputError, message: /detached/ });
    },
  },
  {
    name: "boundary: sha256() and xetHash() read lying Blobs, streams and views by their real bytes",
    async run() {
      for (const [label, make] of [...abc, ...abcAsync]) {
        equal(await sha256(make()), ABC, label);
        equal((await xetHash(make())).sha256, ABC, `${label} (xetHash)`);
      }
    },
  },
  {
    name: "boundary: sha256() and xetHash() reject unusable values with typed errors",
    async run() {
      for (const [label, make] of invalid) {
        await rejects(sha256(make()), { instanceOf: InvalidInputError }, `sha256, ${label}`);
        await rejects(xetHash(make()), { instanceOf: InvalidInputError }, `xetHash, ${label}`);
      }
      for (const [label, make, name] of invalidAsync) {
        await rejects(sha256(make()), { instanceOf: HubError, name }, `sha256, ${label}`);
        await rejects(xetHash(make()), { instanceOf: HubError, name }, `xetHash, ${label}`);
      }
      for (const [label, make] of proxiedContainers) {
        const digest = await sha256(make()).catch((error) => error);
        ok(digest === ABC || digest instanceof InvalidInputError, `${label} gave ${digest}`);
      }
      equal(await sha256(text("abc")), ABC, "sha256 afterwards");
    },
  },
  {
    name: "boundary: a buffer transferred away while it is being hashed rejects with a typed error",
    async run() {
      const big = new Uint8Array(64 << 20);
      const pending = sha256(big);
      // Fires at the first yield to the event loop, after some blocks were read.
      setTimeout(() => detach(big.buffer), 0);
      await rejects(pending, { instanceOf: InvalidInputError, message: /detached/ });
      equal(await sha256(text("abc")), ABC, "sha256 afterwards");
    },
  },
  {
    name: "boundary: a Blob whose own read fails (its file changed after openAsBlob) rejects with SourceReadError",
    async run() {
      // Only the Node runner can make one (it writes a file); it installs the hook.
      const host = globalThis.hubwasmTestHost;
      if (!host?.failingBlob) return { notes: ["not checked: this runner cannot make a Blob whose read fails"] };
      const { blob, cleanup } = await host.failingBlob();
      try {
        const error = await rejects(sha256(blob), { instanceOf: HubError, name: "SourceReadError" });
        ok(error.cause !== undefined, "the runtime's own error is the cause");
      } finally {
        cleanup();
      }
      equal(await sha256(text("abc")), ABC, "sha256 afterwards");
    },
  },
  {
    name: "boundary: options that throw, lie or have the wrong type are InvalidInputError",
    async run() {
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      const badOptions = [
        ["an options object with a throwing getter", { get boundaryRule() { throw new Error("hostile"); } }],
        ["a revoked Proxy as options", revoked.proxy],
        ["a number as options", 42],
        ["a string as options", "legacy"],
        ["a Symbol as options", Symbol("options")],
        ["boundaryRule as an object that stringifies to current", { boundaryRule: { toString: () => "current" } }],
      ];
      for (const [label, options] of badOptions) {
        await rejects(xetHash(text("abc"), options), { instanceOf: InvalidInputError }, `xetHash, ${label}`);
        throws(() => createXetHasher(options), { instanceOf: InvalidInputError }, `createXetHasher, ${label}`);
      }
    },
  },
  {
    name: "boundary: methods called on a foreign, forged or freed object are typed errors and touch no Rust memory",
    async run() {
      const sha = createSha256();
      sha.update(text("ab"));
      const xet = createXetHasher();
      const xetUpdate = Object.getPrototypeOf(xet).update;
      const shaUpdate = Object.getPrototypeOf(sha).update;
      const shaDigest = Object.getPrototypeOf(sha).digest;
      throws(() => xetUpdate.call(sha, text("abc")), { instanceOf: InvalidInputError }, "a XetHasher method on a Sha256Hasher");
      throws(() => Object.getPrototypeOf(xet).finish.call(sha), { instanceOf: InvalidInputError }, "finish() on a Sha256Hasher");
      throws(() => shaUpdate.call({ __wbg_ptr: 123456 }, text("abc")), { instanceOf: InvalidInputError }, "a forged pointer");
      throws(() => shaDigest.call({}), { instanceOf: InvalidInputError }, "a plain object");
      throws(() => shaDigest.call(undefined), { instanceOf: InvalidInputError }, "no this");
      ok(!("__wbg_ptr" in sha) && !("__destroy_into_raw" in sha), "wasm-bindgen's pointer and plumbing are out of reach");
      const freed = createSha256();
      freed.free();
      throws(() => freed.digest(), { instanceOf: InvalidStateError, message: /after free/ }, "a method after free()");
      throws(() => freed.free(), { instanceOf: InvalidStateError }, "free() twice");
      throws(() => freed.bytesHashed, { instanceOf: InvalidStateError }, "a getter after free()");
      if (typeof Symbol.dispose === "symbol") freed[Symbol.dispose](); // disposing a freed object does nothing
      sha.update(text("c"));
      equal(sha.digest(), ABC, "the Sha256Hasher lent as a foreign this is intact");
      xet.update(periodicBytes(200_000, 7, 13));
      equal(xet.finish().hash, PERIODIC_XET, "the XetHasher is intact");
    },
  },
  {
    name: "boundary: globals patched after load (fake timers, a throwing performance.now) change nothing",
    async run() {
      // Over 16 MiB, so hashing yields to the event loop at least once whatever the clock says.
      const big = new Uint8Array(17 * MiB).fill(0x61);
      const expected = await webCryptoHex(big);
      const realSetTimeout = setTimeout;
      const realClearTimeout = clearTimeout;
      const throwing = () => {
        throw new Error("a patched global was called");
      };
      const never = () => 0; // a fake timer that is never advanced
      class SilentChannel {
        constructor() {
          this.port1 = { close() {} };
          this.port2 = { postMessage() {} };
        }
      }
      const undo = [];
      const notes = [];
      for (const [object, key, value] of [
        [globalThis.performance, "now", throwing],
        [globalThis, "setImmediate", never],
        [globalThis, "setTimeout", never],
        [globalThis, "MessageChannel", SilentChannel],
      ]) {
        const restore = object && patch(object, key, value);
        if (restore) undo.push(restore);
        else notes.push(`not checked: this runtime refused to patch ${key}`);
      }
      let timer;
      let outcome;
      try {
        const hung = new Promise((resolve) => (timer = realSetTimeout(() => resolve({ hung: true }), 60_000)));
        const calls = Promise.all([sha256(big), sha256(new Uint8Array(1_000_000).fill(0x61))]).then(
          (digests) => ({ digests }),
          (error) => ({ error }),
        );
        outcome = await Promise.race([calls, hung]);
      } finally {
        undo.reverse().forEach((restore) => restore());
        realClearTimeout(timer);
      }
      ok(!outcome.hung, "sha256() never settled while the globals were patched");
      ok(!outcome.error, `sha256() failed while the globals were patched: ${outcome.error}`);
      equal(outcome.digests[0], expected, "17 MiB while patched (WebCrypto's digest)");
      equal(outcome.digests[1], MILLION_A, "a million 'a' while patched");
      equal(await sha256(text("abc")), ABC, "a good call after restoring");
      return { notes };
    },
  },
  {
    name: "boundary: frozen Error.prototype.name (SES lockdown) still gives typed errors, and the objects stay usable",
    async run() {
      const hasher = createSha256();
      hasher.update(text("ab"));
      const original = Object.getOwnPropertyDescriptor(Error.prototype, "name");
      Object.defineProperty(Error.prototype, "name", { ...original, writable: false });
      let syncError;
      let asyncError;
      try {
        try {
          hasher.update(42);
        } catch (error) {
          syncError = error;
        }
        asyncError = await sha256(42).then(
          () => undefined,
          (error) => error,
        );
      } finally {
        Object.defineProperty(Error.prototype, "name", original);
      }
      ok(syncError instanceof InvalidInputError, `update(42) threw ${syncError}`);
      equal(syncError.name, "InvalidInputError");
      equal(syncError.code, "INVALID_INPUT");
      ok(asyncError instanceof InvalidInputError, `sha256(42) rejected with ${asyncError}`);
      hasher.update(text("c"));
      equal(hasher.digest(), ABC, "the hasher after the refusal");
    },
  },
  {
    name: "boundary: a planner whose xorbs are never taken refuses more bytes (InvalidStateError) and loses none",
    async run() {
      const planner = createXetUploadPlanner();
      const fed = [];
      let refused;
      // Xorbs close every ~64 MiB; two may wait untaken (MAX_UNTAKEN_XORBS), so the refusal comes
      // after about 128 MiB, well before 320.
      for (let seed = 1; seed <= 20 && !refused; seed++) {
        const piece = randomBytes(16 * MiB, seed);
        try {
          planner.update(piece);
          fed.push(piece);
        } catch (error) {
          refused = { piece, error };
        }
      }
      ok(refused, "update() was never refused with 320 MiB of xorbs untaken");
      ok(refused.error instanceof InvalidStateError, `refused with ${refused.error}`);
      equal(refused.error.code, "INVALID_STATE");
      ok(/take/.test(refused.error.message), refused.error.message);
      ok(fed.length * 16 * MiB >= 128 * MiB, `refused after only ${fed.length * 16} MiB`);
      equal(planner.stats.bytesIn, fed.length * 16 * MiB, "the refused bytes were not fed");
      let taken = 0;
      while (planner.takeXorb() !== undefined) taken++;
      equal(taken, 2, "xorbs waiting at the refusal");
      planner.update(refused.piece);
      fed.push(refused.piece);
      const file = planner.finishFile();
      const whole = new Uint8Array(fed.length * 16 * MiB);
      fed.forEach((piece, i) => whole.set(piece, i * 16 * MiB));
      equal(file.size, whole.length);
      equal(file.sha256, await webCryptoHex(whole), "the file's SHA-256 (WebCrypto's)");
      planner.free();
    },
  },
  {
    name: "boundary: thousands of refused calls leave the instance healthy",
    async run() {
      const old = createSha256();
      old.update(text("ab"));
      const makers = invalid.map(([, make]) => make);
      for (let i = 0; i < 4000; i++) {
        try {
          createSha256().update(makers[i % makers.length]());
          ok(false, `call ${i} was accepted`);
        } catch (error) {
          ok(error instanceof InvalidInputError, `call ${i}: ${error}`);
        }
      }
      for (let i = 0; i < 500; i++) {
        await sha256(makers[i % makers.length]()).then(
          () => ok(false, `call ${i} resolved`),
          (error) => ok(error instanceof InvalidInputError, `async call ${i}: ${error}`),
        );
      }
      old.update(text("c"));
      equal(old.digest(), ABC, "an object made before");
      equal(await sha256(text("abc")), ABC, "a fresh sha256()");
      equal((await xetHash(periodicBytes(200_000, 7, 13))).hash, PERIODIC_XET, "a fresh xetHash()");
    },
  },
];
