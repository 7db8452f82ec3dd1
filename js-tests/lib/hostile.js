// Unusual and hostile JS values for the boundary scenarios (issue #9): each entry builds a fresh
// value on every call, because detaching, locking and revoking change the value for good.
// `abc` entries are genuine byte sources whose real content is "abc" (whatever their properties
// claim), so a correct API hashes them like "abc"; `invalid` entries are not usable bytes and must
// give an InvalidInputError. `skipped` lists the hostile kinds this runtime cannot build, with why.

const text = (s) => new TextEncoder().encode(s);

/** An ArrayBuffer whose contents were transferred away (as after `postMessage(buf, [buf])`). */
export function detach(buffer) {
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

const thrower = () => {
  throw new Error("hostile getter");
};

/** `target` with own properties shadowing its prototype's accessors. */
function spoof(target, props) {
  for (const [key, value] of Object.entries(props)) {
    Object.defineProperty(target, key, typeof value === "function" ? { get: value } : { value });
  }
  return target;
}

class SpoofedUint8Array extends Uint8Array {
  get length() {
    return 1e9;
  }
  get byteLength() {
    throw new Error("hostile byteLength");
  }
  subarray() {
    throw new Error("hostile subarray");
  }
  static get [Symbol.species]() {
    throw new Error("hostile species");
  }
}

const hasSharedArrayBuffer = typeof SharedArrayBuffer === "function";
const hasResizable = (() => {
  try {
    return new ArrayBuffer(1, { maxByteLength: 2 }).resizable === true;
  } catch {
    return false;
  }
})();

function resizableAbc() {
  const buffer = new ArrayBuffer(3, { maxByteLength: 64 });
  new Uint8Array(buffer).set(text("abc"));
  return buffer;
}

/** Genuine byte sources holding "abc", however they lie about themselves. */
export const abc = [
  ["a Uint8Array", () => text("abc")],
  ["a Uint8Array claiming length 1e9", () => spoof(text("abc"), { length: 1e9 })],
  ["a Uint8Array claiming byteLength 2**53", () => spoof(text("abc"), { byteLength: 2 ** 53 })],
  ["a Uint8Array with a throwing length getter", () => spoof(text("abc"), { length: thrower, byteLength: thrower })],
  ["a Uint8Array claiming another buffer and offset", () => spoof(text("abc"), { buffer: new ArrayBuffer(16), byteOffset: 1e9 })],
  ["a Uint8Array whose subarray/slice/set throw", () => spoof(text("abc"), { subarray: thrower, slice: thrower, set: thrower })],
  ["a Uint8Array subclass lying about length, species and subarray", () => new SpoofedUint8Array(text("abc"))],
  ["a view into the middle of a larger buffer", () => spoof(text("xxabcyy").subarray(2, 5), { length: 7 })],
  ["a DataView claiming byteLength 1e9", () => spoof(new DataView(text("xxabcyy").buffer, 2, 3), { byteLength: 1e9 })],
  ["an ArrayBuffer claiming byteLength 1e9", () => spoof(text("abc").buffer, { byteLength: 1e9 })],
  ...(hasResizable
    ? [
        ["a length-tracking view of a resizable ArrayBuffer", () => new Uint8Array(resizableAbc())],
        ["a resizable ArrayBuffer", () => resizableAbc()],
      ]
    : []),
];

/** Values that hold no usable bytes: each must be refused with a typed error. */
export const invalid = [
  ["a detached ArrayBuffer", () => detach(new ArrayBuffer(8))],
  ["a Uint8Array over a detached buffer", () => {
    const bytes = text("abc");
    detach(bytes.buffer);
    return bytes;
  }],
  ["a DataView over a detached buffer", () => {
    const view = new DataView(new ArrayBuffer(8));
    detach(view.buffer);
    return view;
  }],
  ["a Proxy of a Uint8Array", () => new Proxy(text("abc"), {})],
  ["a Proxy of an ArrayBuffer", () => new Proxy(text("abc").buffer, {})],
  ["a revoked Proxy", () => {
    const { proxy, revoke } = Proxy.revocable(text("abc"), {});
    revoke();
    return proxy;
  }],
  ["a Proxy whose every trap throws", () =>
    new Proxy({}, { get: thrower, getPrototypeOf: thrower, has: thrower, ownKeys: thrower, getOwnPropertyDescriptor: thrower })],
  ["an object posing as a Uint8Array", () => Object.create(Uint8Array.prototype)],
  ["an array-like object claiming length 1e9", () => ({ length: 1e9, 0: 97 })],
  ["an object with throwing getters", () => spoof({}, { length: thrower, byteLength: thrower, buffer: thrower, constructor: thrower })],
  ["an object whose Symbol.toPrimitive throws", () => ({ [Symbol.toPrimitive]: thrower })],
  ["an array of numbers", () => [97, 98, 99]],
  ["a string", () => "abc"],
  ["a Symbol", () => Symbol("abc")],
  ["a BigInt", () => 10n ** 30n],
  ["null", () => null],
  ["undefined", () => undefined],
  ["NaN", () => NaN],
  ["a huge number", () => 2 ** 53],
  ["a function", () => function abc() {}],
  ["a Promise", () => Promise.resolve(text("abc"))],
  ...(hasSharedArrayBuffer
    ? [
        ["a view over a SharedArrayBuffer", () => new Uint8Array(new SharedArrayBuffer(3))],
        ["a SharedArrayBuffer", () => new SharedArrayBuffer(3)],
      ]
    : []),
  ...(hasResizable
    ? [
        ["a fixed-length view left out of bounds by a shrunk ArrayBuffer", () => {
          const buffer = resizableAbc();
          const view = new Uint8Array(buffer, 0, 3);
          buffer.resize(1);
          return view;
        }],
      ]
    : []),
];

/** Hostile kinds this runtime cannot build, and why (reported, never silently dropped). */
export const skipped = [
  ...(hasSharedArrayBuffer ? [] : ["SharedArrayBuffer views: this runtime has no SharedArrayBuffer (not cross-origin isolated)"]),
  ...(hasResizable ? [] : ["resizable ArrayBuffers: not supported by this runtime"]),
];

function streamOf(chunks, extra = {}) {
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
    ...extra,
  });
}

class LyingBlob extends Blob {
  get size() {
    return 1e9;
  }
  slice() {
    throw new Error("hostile slice");
  }
  arrayBuffer() {
    return Promise.reject(new Error("hostile arrayBuffer"));
  }
  stream() {
    throw new Error("hostile stream");
  }
}

/** Blobs and streams whose real content is "abc". */
export const abcAsync = [
  ["a Blob", () => new Blob([text("ab"), text("c")])],
  ["a Blob subclass whose size, slice, stream and arrayBuffer lie or fail", () => new LyingBlob([text("abc")])],
  ["a Blob claiming size 1e9", () => spoof(new Blob([text("abc")]), { size: 1e9, slice: thrower })],
  ["a stream of two chunks", () => streamOf([text("ab"), text("c")])],
  ["a stream whose chunk lies about its length", () => streamOf([spoof(text("abc"), { length: 1e9, subarray: thrower })])],
  ["a stream of an ArrayBuffer and a DataView", () => streamOf([text("a").buffer, new DataView(text("xbcx").buffer, 1, 2)])],
];

/**
 * Proxies of a Blob and of a stream holding "abc". Node's brand checks read private symbols
 * through the Proxy, so Node reads the target's real bytes; engines with internal slots refuse
 * them with InvalidInputError. Either is sound.
 */
export const proxiedContainers = [
  ["a Proxy of a Blob", () => new Proxy(new Blob([text("abc")]), {})],
  ["a Proxy of a stream", () => new Proxy(streamOf([text("abc")]), {})],
];

/** Blobs and streams that cannot be read as bytes: `[label, make, errorName]`. */
export const invalidAsync = [
  ["a locked stream", () => {
    const stream = streamOf([text("abc")]);
    stream.getReader();
    return stream;
  }, "InvalidInputError"],
  ["a stream of strings", () => streamOf(["abc"]), "InvalidInputError"],
  ["a stream yielding a detached chunk", () => streamOf([detach(new ArrayBuffer(4))]), "InvalidInputError"],
  ["a stream yielding a Proxy of bytes", () => streamOf([new Proxy(text("abc"), {})]), "InvalidInputError"],
  ["a stream whose pull throws", () => new ReadableStream({ pull: thrower }), "SourceReadError"],
  ["an object posing as a Blob", () => Object.create(Blob.prototype), "InvalidInputError"],
  ["an object posing as a stream", () => Object.create(ReadableStream.prototype), "InvalidInputError"],
];
