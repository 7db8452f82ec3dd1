// Users hold handles, never wasm-bindgen's objects. A wasm-bindgen object is a Rust pointer in a
// public `__wbg_ptr` field, and its methods trust `this`: called on an object of another class, on
// `{ __wbg_ptr: 123456 }` or after `free()`, Rust would read or write the wrong memory. A handle
// reaches its Rust object only through its class's WeakMap below, so such calls are typed errors.
// The handle classes are built from the bindings' own prototypes: a new method needs no edit here.
import { InvalidInputError, InvalidStateError } from "./errors.js";

/**
 * Returns `wrap(value)`, which turns an instance of one of `rawClasses` (`[name, Class]` pairs, or
 * `[name, Class, true]` for a class users construct with `new`) into its handle and leaves every
 * other value (and a Promise's result) as it is. `wrap.handleClass(name)` is a handle class;
 * constructing one calls `assertLoaded(name)` first, then the Rust constructor.
 */
export function handlesFor(rawClasses, assertLoaded) {
  const handleClasses = new Map(); // the raw prototype → [its handle class, that class's live map]
  const byName = new Map();

  const wrap = (value) => {
    if (value instanceof Promise) return value.then(wrap);
    const entry = value !== null && typeof value === "object" ? handleClasses.get(Object.getPrototypeOf(value)) : undefined;
    if (entry === undefined) return value;
    const [Handle, live] = entry;
    const handle = Object.create(Handle.prototype);
    live.set(handle, value);
    return handle;
  };

  for (const [name, Raw, constructible] of rawClasses) {
    const live = new WeakMap(); // handle → its Rust-backed object, or null once freed
    const rawOf = (self, member) => {
      const raw = live.get(self);
      if (raw === undefined) throw new InvalidInputError(`${name}.${member} was called on something that is not a ${name}`);
      if (raw === null) throw new InvalidStateError(`${name}.${member} was called after free()`);
      return raw;
    };
    const Handle = function (...args) {
      if (!constructible) {
        throw new InvalidInputError(`${name} has no public constructor: use the create function that returns one`);
      }
      if (new.target === undefined) throw new InvalidInputError(`${name} is a class: call it with new`);
      assertLoaded(name);
      live.set(this, new Raw(...args));
    };
    Object.defineProperty(Handle, "name", { value: name });
    for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(Raw.prototype))) {
      // wasm-bindgen's plumbing (`__wrap`, `__destroy_into_raw`) stays out of reach.
      if (key === "constructor" || key.startsWith("__")) continue;
      const member = {};
      if (key === "free") {
        member.value = function free() {
          const raw = rawOf(this, "free()");
          live.set(this, null);
          d.value.call(raw);
        };
      } else if (typeof d.value === "function") {
        // The bindings' own functions, captured now, called on the handle's own object.
        const method = d.value;
        member.value = {
          [key](...args) {
            return wrap(method.apply(rawOf(this, `${key}()`), args));
          },
        }[key];
      }
      if (d.get) member.get = function () {
        return wrap(d.get.call(rawOf(this, key)));
      };
      if (d.set) member.set = function (value) {
        d.set.call(rawOf(this, key), value);
      };
      Object.defineProperty(Handle.prototype, key, { ...member, configurable: true, enumerable: false });
    }
    if (typeof Symbol.dispose === "symbol") {
      // `using` after an explicit free() is fine: disposing twice does nothing.
      Object.defineProperty(Handle.prototype, Symbol.dispose, {
        value() {
          if (live.get(this)) this.free();
        },
        configurable: true,
      });
    }
    handleClasses.set(Raw.prototype, [Handle, live]);
    byName.set(name, Handle);
  }
  wrap.handleClass = (name) => byName.get(name);
  return wrap;
}
