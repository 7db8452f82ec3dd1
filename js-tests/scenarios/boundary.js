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
    name: "boundary: thousands of refused calls leave the instance healthy",
    async run() {
      const old = createSha256();
      old.update(text("ab"));
      const makers = invalid.map(([, make]) => make);
      for (let i = 0; i < 4000; i++) {
        try {
          createSha256().update(makers[i % makers.length]());
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
