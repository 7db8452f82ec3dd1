// The JS half of src/js/pacing.rs: yielding to the host's event loop so long computations never
// freeze a page or starve other tasks. We want a plain macrotask that runs fairly with timers, I/O and input:
// - setImmediate where it exists (Node): no delay;
// - a zero-delay timer in workerd, whose message events do not let pending timers run;
// - a MessageChannel message (browsers, workers, Deno): no 4 ms timer clamping;
// - a zero-delay timer otherwise.
// Not scheduler.yield(): Chromium runs its continuations ahead of timers, which starves them.

export function yieldToEventLoop() {
  if (typeof setImmediate === "function") return new Promise((resolve) => setImmediate(resolve));
  const inWorkerd = globalThis.navigator?.userAgent === "Cloudflare-Workers";
  if (typeof MessageChannel === "function" && !inWorkerd) {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function nowMs() {
  return globalThis.performance ? globalThis.performance.now() : Date.now();
}
