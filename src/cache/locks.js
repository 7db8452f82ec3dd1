// Web Locks around a blob's fetch and write (src/cache/browser.rs): two tabs or Workers fetching one
// file store one blob. The first holds the lock for the blob's key while it downloads and writes;
// the second waits, then finds the blob stored and serves it from the cache.

/** Lock names this realm has asked for: a second read of the same blob here does not wait for the
 * first, which this same realm's code may be waiting on (two streams read in turn would deadlock). */
const askedHere = new Set();

/**
 * Holds the Web Lock of `blobKey` in `store` (a store with a `lockScope` string: tabs sharing one
 * storage share it). Resolves to a function releasing it once granted, or to null where there is
 * no lock to take (no `navigator.locks`, a store without a scope, this realm already holding it);
 * rejects with the signal's reason when `signal` aborts the wait.
 */
export async function holdBlobLock(store, blobKey, signal) {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  const scope = store?.lockScope;
  if (typeof locks?.request !== "function" || typeof scope !== "string") return null;
  const name = `hubwasm-cache-blob:${scope}:${blobKey}`;
  if (askedHere.has(name)) return null;
  askedHere.add(name);
  let release;
  const held = new Promise((resolve) => (release = resolve));
  try {
    await new Promise((granted, refused) => {
      locks.request(name, signal === undefined ? {} : { signal }, () => {
        granted();
        return held;
      }).catch(refused);
    });
  } catch (e) {
    askedHere.delete(name);
    throw e;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    askedHere.delete(name);
    release();
  };
}
