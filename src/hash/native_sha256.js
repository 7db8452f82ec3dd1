// The runtime's own streaming SHA-256 (src/hash/native_sha256.rs), found at run time so that the
// module loads unchanged everywhere: node:crypto through `process.getBuiltinModule` (Node >= 20.16,
// Deno), `crypto.DigestStream` in workerd; anywhere else (browsers) undefined, and wasm's sha2 does
// the work. Nothing is imported, so no bundler sees a `node:` specifier.

function nodeCrypto() {
  try {
    const crypto = globalThis.process?.getBuiltinModule?.("node:crypto");
    return typeof crypto?.createHash === "function" ? crypto : undefined;
  } catch {
    return undefined;
  }
}

/** A native hasher `{ kind, update(view) -> undefined | Promise, digest() -> Promise<Uint8Array> }`, or undefined. */
export function createNativeSha256() {
  const crypto = nodeCrypto();
  if (crypto) {
    const hash = crypto.createHash("sha256");
    return {
      kind: "node:crypto",
      update(view) {
        hash.update(view);
      },
      async digest() {
        return new Uint8Array(hash.digest());
      },
    };
  }
  if (typeof globalThis.crypto?.DigestStream === "function") {
    const stream = new globalThis.crypto.DigestStream("SHA-256");
    const writer = stream.getWriter();
    return {
      kind: "DigestStream",
      // The view is over memory the caller reuses: the stream gets its own copy.
      update(view) {
        return writer.write(new Uint8Array(view));
      },
      async digest() {
        await writer.close();
        return new Uint8Array(await stream.digest);
      },
    };
  }
  return undefined;
}

/** `hasher.update(view)`; a throw becomes a rejection. */
export function nativeUpdate(hasher, view) {
  try {
    return hasher.update(view);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `hasher.digest()`; a throw becomes a rejection. */
export function nativeDigest(hasher) {
  try {
    return hasher.digest();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Which native digest `createNativeSha256` would use: "node:crypto", "DigestStream" or "" (wasm). */
export function nativeSha256Kind() {
  return createNativeSha256()?.kind ?? "";
}
