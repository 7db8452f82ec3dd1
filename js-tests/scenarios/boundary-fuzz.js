// A seeded fuzzer over the whole package surface (issue #9): every exported function, and every
// method and getter of the objects they return, is called with random argument lists drawn from
// ordinary and hostile values. The exports are enumerated, so a new API is fuzzed without editing
// this file; methods are also called on foreign objects and after free(). Every failure must be
// a HubError subclass; afterwards, objects made before the run
// and fresh ones must still give known digests (FIPS 180-2 "abc", the Xet spec's §9.6 vector).
import * as hubwasm from "hubwasm";
import { equal, ok } from "../lib/assert.js";
import { periodicBytes } from "../lib/data.js";
import { abc, abcAsync, invalid, invalidAsync, proxiedContainers } from "../lib/hostile.js";

const { createSha256, createXetHasher, createXetUploadPlanner, HubError, InvalidInputError, sha256, xetHash } = hubwasm;

const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const PERIODIC_XET = "d88d9e0b760f32c90b7c6592b4cb85251c01bb797371e3c637087b96ac578723";
const SEED = 0x5eed1234;
const CALLS = 2500;
const text = (s) => new TextEncoder().encode(s);

/** xorshift32: the same sequence of calls in every runtime. */
function random(seed) {
  let x = seed >>> 0;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const ordinary = [
  () => new Uint8Array(0),
  () => periodicBytes(777, 3, 1),
  () => periodicBytes(70_000, 5, 9).subarray(13),
  () => new Float64Array(9),
  () => new DataView(new ArrayBuffer(33), 1),
  () => ({}),
  () => ({ boundaryRule: "legacy", sha256: false }),
  () => ({ boundaryRule: "current", sha256: true }),
  () => ({ boundaryRule: "fast" }),
  () => ({ sha256: 1 }),
  () => true,
  () => -1,
  () => "",
  () => new Blob([periodicBytes(1000, 7, 1)]),
  () => new Date(0),
  () => new Map([["boundaryRule", "legacy"]]),
];
const values = [
  ...ordinary,
  ...[...abc, ...invalid, ...abcAsync, ...invalidAsync, ...proxiedContainers].map(([, make]) => make),
];

/** The package's functions, by enumeration (error classes and promises are not callable APIs). */
function exportedFunctions() {
  return Object.entries(hubwasm)
    .filter(([, value]) => typeof value === "function" && !(value === Error || value.prototype instanceof Error) && value !== HubError)
    .map(([name, fn]) => ({ name, fn }));
}

/**
 * Methods and getters of a hubwasm object an API returned (its class has `free`); plain results
 * such as digests and Uint8Arrays have none. `free` and `Symbol.dispose` end the object by design;
 * `__`-prefixed members are wasm-bindgen's plumbing, absent from the types.
 */
function membersOf(object) {
  const proto = Object.getPrototypeOf(object);
  if (!proto || typeof proto.free !== "function") return [];
  return Object.entries(Object.getOwnPropertyDescriptors(proto))
    .filter(([name]) => name !== "constructor" && name !== "free" && !name.startsWith("__"))
    .map(([name, d]) => ({ name, getter: d.get !== undefined, fn: d.get ?? d.value }))
    .filter((m) => typeof m.fn === "function");
}

export default [
  {
    name: "boundary fuzz: random values at every exported API give results or HubErrors, never a dead instance",
    async run() {
      const functions = exportedFunctions();
      for (const expected of ["sha256", "createSha256", "xetHash", "createXetHasher", "createXetUploadPlanner"]) {
        ok(functions.some((f) => f.name === expected), `${expected} is enumerated`);
      }
      // Objects made before the run: they only ever see refused values, so their digests stay known.
      const witnessSha = createSha256();
      witnessSha.update(text("ab"));
      const witnessXet = createXetHasher();
      witnessXet.update(periodicBytes(200_000, 7, 13));
      const refused = invalid.map(([, make]) => make);

      const pick = random(SEED);
      const objects = [];
      const failures = [];
      let calls = 0;
      let typedErrors = 0;
      const call = async (label, invoke) => {
        calls++;
        try {
          const result = invoke();
          const settled = result instanceof Promise ? await result : result;
          if (settled && typeof settled === "object" && membersOf(settled).length > 0 && objects.length < 64) objects.push(settled);
        } catch (error) {
          if (error instanceof HubError) typedErrors++;
          else failures.push(`${label}: ${error?.name}: ${error?.message}`);
        }
      };
      const args = () => Array.from({ length: pick(4) }, () => values[pick(values.length)]());

      while (calls < CALLS) {
        if (objects.length === 0 || pick(3) === 0) {
          const { name, fn } = functions[pick(functions.length)];
          const list = args();
          await call(`${name}(${list.length} args)`, () => fn(...list));
        } else {
          const object = objects[pick(objects.length)];
          const members = membersOf(object);
          const member = members[pick(members.length)];
          const list = args();
          // Now and then with a foreign `this`: another API's object, or any value at all.
          const self = pick(8) === 0 ? (pick(2) ? objects[pick(objects.length)] : values[pick(values.length)]()) : object;
          await call(`${object.constructor.name}.${String(member.name)}`, () =>
            member.getter ? member.fn.call(self) : member.fn.apply(self, list),
          );
          // And now and then an object is freed; its later calls must be typed errors too.
          if (pick(40) === 0) await call(`${object.constructor.name}.free`, () => object.free());
        }
        if (calls % 50 === 0) {
          const make = refused[pick(refused.length)];
          await call("witness update", () => witnessSha.update(make()));
          await call("witness update", () => witnessXet.update(make()));
        }
      }
      equal(failures.length, 0, `untyped failures (${failures.length}), first: ${failures.slice(0, 5).join(" | ")}`);
      ok(typedErrors > calls / 10, `the run reached the error paths (${typedErrors} typed errors in ${calls} calls)`);

      witnessSha.update(text("c"));
      equal(witnessSha.digest(), ABC, "a hasher made before the run");
      equal(witnessXet.finish().hash, PERIODIC_XET, "a XetHasher made before the run");
      equal(await sha256(text("abc")), ABC, "a fresh sha256()");
      const fresh = createSha256();
      fresh.update(text("abc"));
      equal(fresh.digest(), ABC, "a fresh createSha256()");
      equal((await xetHash(periodicBytes(200_000, 7, 13))).hash, PERIODIC_XET, "a fresh xetHash()");
      const planner = createXetUploadPlanner();
      planner.update(periodicBytes(200_000, 7, 13));
      equal(planner.finishFile().hash, PERIODIC_XET, "a fresh planner");
      await xetHash(42).then(
        () => ok(false, "xetHash(42) resolved"),
        (error) => ok(error instanceof InvalidInputError, String(error)),
      );
    },
  },
];
