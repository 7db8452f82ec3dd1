// Xet hashing in the runtime: expected values are the spec's vectors (§9.2, §9.3, §9.6), which
// come from xet-core and huggingface.js tests.
import { createXetHasher, InvalidInputError, InvalidStateError, xetHash } from "hubwasm";
import { equal, ok, rejects, throws } from "../lib/assert.js";
import { endOffsets, periodicBytes, splitmix64Bytes, triggerPattern } from "../lib/data.js";

const SPLITMIX_ENDS = [
  84493, 134421, 144853, 243318, 271793, 336457, 467529, 494581, 582000, 596735, 616815, 653164, 678202, 724510, 815591,
  827760, 958832, 991092, 1000000,
];
const SPLITMIX_FIRST = "6eca1e7dadaf08cca5d82d318c800f07c2ddcec115a7e8627e5edd9605b94b8d";
const SPLITMIX_LAST = "03e5b5f5a088269ec4b329f1e04debfac4cb54b9c0facf038f7e8e0f054be7e2";

export default [
  {
    name: "xetHash: 1 MB SplitMix64 data gives the reference boundaries, chunk hashes and SHA-256",
    async run() {
      const data = splitmix64Bytes(0, 1_000_000);
      const digest = await xetHash(data);
      equal(digest.size, 1_000_000);
      equal(digest.sha256, "b3d0a1f7938cd4d8413a4dcffd4313e2e8ac0cb61cb1090eb140ea8e9154befb");
      equal(endOffsets(digest.chunks).join(), SPLITMIX_ENDS.join());
      equal(digest.chunks[0].hash, SPLITMIX_FIRST);
      equal(digest.chunks.at(-1).hash, SPLITMIX_LAST);
    },
  },
  {
    name: "xetHash: periodic data matches huggingface.js end-to-end vectors",
    async run() {
      equal((await xetHash(periodicBytes(200_000, 7, 13))).hash, "d88d9e0b760f32c90b7c6592b4cb85251c01bb797371e3c637087b96ac578723");
      equal((await xetHash(periodicBytes(1_000_000, 13, 37))).hash, "041a50f3639f4a080a89237025d643e2a3e22935ca5d7dbc1a38f5c1e859f859");
    },
  },
  {
    name: "xetHash: boundaryRule picks the current (xet-core) or legacy (huggingface.js) rule",
    async run() {
      const data = triggerPattern(1);
      const current = await xetHash(data);
      const legacy = await xetHash(data, { boundaryRule: "legacy" });
      equal(endOffsets(current.chunks).join(), "8320,16576,24832,33088,41344,49600,57856,65536");
      equal(endOffsets(legacy.chunks).join(), "8191,16447,24703,32959,41215,49471,57727,65536");
      ok(current.hash !== legacy.hash, "different chunks give different file hashes");
      equal((await xetHash(data, { boundaryRule: "current" })).hash, current.hash);
    },
  },
  {
    name: "xetHash: empty input has the zero hash, Blob and stream inputs agree with bytes",
    async run() {
      const empty = await xetHash(new Uint8Array(0));
      equal(empty.hash, "0".repeat(64));
      equal(empty.chunks.length, 0);
      const data = splitmix64Bytes(3, 3 * 1024 * 1024 + 11);
      const fromBytes = await xetHash(data);
      equal((await xetHash(new Blob([data]))).hash, fromBytes.hash, "Blob");
      const stream = new Blob([data]).stream();
      equal((await xetHash(stream)).hash, fromBytes.hash, "ReadableStream");
    },
  },
  {
    name: "xetHash: sha256: false skips the SHA-256 and keeps the Xet hash",
    async run() {
      const data = splitmix64Bytes(0, 1_000_000);
      const light = await xetHash(data, { sha256: false });
      equal(light.sha256, null);
      equal(endOffsets(light.chunks).join(), SPLITMIX_ENDS.join());
      equal(light.hash, (await xetHash(data)).hash);
      const hasher = createXetHasher({ sha256: false });
      hasher.update(data);
      equal(hasher.finish().sha256, null);
    },
  },
  {
    name: "createXetHasher: pieces of any size give the one-shot digest; finish() ends it",
    async run() {
      const data = splitmix64Bytes(0, 1_000_000);
      const hasher = createXetHasher();
      for (let i = 0; i < data.length; i += 7777) hasher.update(data.subarray(i, i + 7777));
      equal(hasher.bytesHashed, 1_000_000);
      const digest = hasher.finish();
      equal(endOffsets(digest.chunks).join(), SPLITMIX_ENDS.join());
      equal(digest.hash, (await xetHash(data)).hash);
      throws(() => hasher.update(data), { instanceOf: InvalidStateError, code: "INVALID_STATE" });
      throws(() => hasher.finish(), { instanceOf: InvalidStateError });
      hasher.free();
    },
  },
  {
    name: "errors: bad Xet inputs and options are InvalidInputError",
    async run() {
      await rejects(xetHash(42), { instanceOf: InvalidInputError, message: /xetHash\(\) input must be one of/ });
      await rejects(xetHash(new Uint8Array(1), { boundaryRule: "fast" }), {
        instanceOf: InvalidInputError,
        message: /boundaryRule must be "current" or "legacy", got string/,
      });
      throws(() => createXetHasher({ boundaryRule: 3 }), { instanceOf: InvalidInputError });
      await rejects(xetHash(new Uint8Array(1), { sha256: "no" }), { instanceOf: InvalidInputError, message: /options.sha256 must be a boolean/ });
    },
  },
];
