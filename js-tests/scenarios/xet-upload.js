// The Xet upload planner in the runtime. Expected values come from the spec's vectors (§9.2: the
// 1 MB SplitMix64 file has 19 chunks and a known SHA-256) and from the shard layout (§5.1, §5.6).
import { createXetUploadPlanner, InternalError, InvalidInputError, InvalidStateError, xetHash } from "hubwasm";
import { equal, ok, throws } from "../lib/assert.js";
import { splitmix64Bytes } from "../lib/data.js";

const SPLITMIX_SHA256 = "b3d0a1f7938cd4d8413a4dcffd4313e2e8ac0cb61cb1090eb140ea8e9154befb";
const SHARD_MAGIC = "48465265706f4d6574614461746100556967456a7b815783a5bdd95ccdd14aa9";
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function drain(planner) {
  const xorbs = [];
  for (let x = planner.takeXorb(); x; x = planner.takeXorb()) xorbs.push(x);
  return xorbs;
}

export default [
  {
    name: "xet upload planner: one pass gives the file's identity, its xorb and an upload shard",
    async run() {
      const data = splitmix64Bytes(0, 1_000_000);
      const planner = createXetUploadPlanner();
      for (let i = 0; i < data.length; i += 300_007) planner.update(data.subarray(i, i + 300_007));
      const file = planner.finishFile();
      equal(file.sha256, SPLITMIX_SHA256);
      equal(file.size, 1_000_000);
      equal(file.hash, (await xetHash(data)).hash);
      const shard = planner.finish();
      const xorbs = drain(planner);
      equal(xorbs.length, 1);
      equal(xorbs[0].chunkCount, 19);
      ok(/^[0-9a-f]{64}$/.test(xorbs[0].hash), "xorb hash is a Xet string");
      equal(hex(shard.subarray(0, 32)), SHARD_MAGIC);
      equal(new DataView(shard.buffer, shard.byteOffset).getBigUint64(40, true), 0n, "upload shards carry no footer");
    },
  },
  {
    name: "xet upload planner: a repeated file is deduplicated within the session",
    async run() {
      const data = splitmix64Bytes(5, 600_000);
      const planner = createXetUploadPlanner();
      planner.update(data);
      const first = planner.finishFile();
      const before = drain(planner).length;
      planner.update(data);
      const second = planner.finishFile();
      planner.finish();
      const after = drain(planner).length;
      equal(second.hash, first.hash);
      equal(before + after, 1, "one xorb for both files");
      const stats = planner.stats;
      equal(stats.bytesIn, 1_200_000);
      equal(stats.deduplicatedBytes, 600_000);
      equal(stats.deduplicatedChunks, stats.chunks / 2);
    },
  },
  {
    name: "xet upload planner: empty files have the zero hash and no shard",
    async run() {
      const planner = createXetUploadPlanner();
      const empty = planner.finishFile();
      equal(empty.hash, "0".repeat(64));
      equal(empty.size, 0);
      equal(planner.finish(), undefined);
      equal(planner.takeXorb(), undefined);
    },
  },
  {
    name: "xet upload planner: bad input and use after finish are typed errors, the last xorb stays takeable",
    async run() {
      const planner = createXetUploadPlanner();
      throws(() => planner.update("text"), { instanceOf: InvalidInputError, code: "INVALID_INPUT" });
      planner.update(splitmix64Bytes(9, 100_000));
      planner.finishFile();
      ok(planner.finish() instanceof Uint8Array, "a shard");
      throws(() => planner.update(new Uint8Array(1)), { instanceOf: InvalidStateError, code: "INVALID_STATE" });
      throws(() => planner.update(new Uint8Array(0)), { instanceOf: InvalidStateError }, "even with no bytes");
      throws(() => planner.finishFile(), { instanceOf: InvalidStateError });
      throws(() => planner.finish(), { instanceOf: InvalidStateError });
      equal(drain(planner).length, 1, "the xorb closed by finish() is still there");
    },
  },
  {
    name: "xet upload planner: a buffer the runtime refuses for xorb bytes leaves a planner that refuses everything after",
    async run() {
      const data = splitmix64Bytes(21, 2_000_000);
      const planner = createXetUploadPlanner();
      // The xorb bytes leave wasm memory into a new Uint8Array of at least 1 MiB: refuse that one
      // (synchronously, so no other code sees the patched constructor).
      const Real = globalThis.Uint8Array;
      globalThis.Uint8Array = new Proxy(Real, {
        construct(target, args) {
          if (typeof args[0] === "number" && args[0] >= 1 << 20) throw new RangeError("refused by the test");
          return Reflect.construct(target, args);
        },
      });
      try {
        throws(() => planner.update(data), { instanceOf: InternalError }, "the refusal surfaces");
      } finally {
        globalThis.Uint8Array = Real;
      }
      throws(() => planner.update(new Uint8Array(1)), { instanceOf: InvalidStateError, message: /lost xorb bytes/ });
      throws(() => planner.finishFile(), { instanceOf: InvalidStateError });
      throws(() => planner.takeXorb(), { instanceOf: InvalidStateError }, "no short xorb is handed out");
      throws(() => planner.finish(), { instanceOf: InvalidStateError });
      const fresh = createXetUploadPlanner();
      fresh.update(data);
      equal(fresh.finishFile().hash, (await xetHash(data)).hash, "a new planner works");
    },
  },
];
