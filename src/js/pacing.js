// The JS half of src/js/pacing.rs: yielding to the host's event loop so long computations never
// freeze a page or starve other tasks. We want a plain macrotask that runs fairly with timers, I/O and input:
// - setImmediate where it exists (Node): no delay;
// - a zero-delay timer in workerd, whose message events do not let pending timers run;
// - a MessageChannel message (browsers, workers, Deno): no 4 ms timer clamping;
// - a zero-delay timer otherwise.
// Not scheduler.yield(): Chromium runs its continuations ahead of timers, which starves them.
//
// The globals are captured once, when the module loads: a caller who later patches them (fake
// timers, a throwing `performance.now`) neither changes our pacing nor throws through Rust frames.
// Both functions still catch whatever the captured built-ins throw, and the Rust imports are `catch`.

const immediate = typeof setImmediate === "function" ? setImmediate : undefined;
const Channel = typeof MessageChannel === "function" ? MessageChannel : undefined;
const timeout = typeof setTimeout === "function" ? setTimeout : undefined;
const inWorkerd = globalThis.navigator?.userAgent === "Cloudflare-Workers";
const performanceNow =
  typeof globalThis.performance?.now === "function" ? globalThis.performance.now.bind(globalThis.performance) : undefined;
const dateNow = Date.now;

function schedule(resolve) {
  if (immediate) return immediate(resolve);
  if (Channel && !inWorkerd) {
    const channel = new Channel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    return channel.port2.postMessage(null);
  }
  if (timeout) return timeout(resolve, 0);
  resolve();
}

/** Resolves on a later macrotask; never rejects (a failed scheduling resolves at once). */
export function yieldToEventLoop() {
  return new Promise((resolve) => {
    try {
      schedule(resolve);
    } catch {
      resolve();
    }
  });
}

/** Milliseconds from a monotonic clock when there is one; NaN when no clock answers. */
export function nowMs() {
  try {
    return performanceNow ? performanceNow() : dateNow();
  } catch {
    return NaN;
  }
}
