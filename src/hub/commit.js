// The queue behind `commitIter` (src/hub/commit.rs): the commit runs on its own and pushes its
// progress events here; the iterator hands them out in order, then ends with the commit as its
// return value, or rejects with the commit's error. Events never wait for a reader: a slow
// consumer cannot stall the upload (they are small, and a commit emits a bounded number).
// `signal` is what the commit's requests take: it fires when the caller's own signal does, and
// when the consumer stops early (`break`, `return()`), so an abandoned iteration commits nothing.

export function createEventQueue(callerSignal) {
  const controller = new AbortController();
  if (callerSignal !== undefined) {
    if (callerSignal.aborted) controller.abort(callerSignal.reason);
    else callerSignal.addEventListener("abort", () => controller.abort(callerSignal.reason), { once: true });
  }
  const events = [];
  let wake;
  let state = "running"; // "running" | "done" | "failed" | "closed"
  let outcome;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const iterator = {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      for (;;) {
        if (state === "closed") return { done: true, value: undefined };
        if (events.length > 0) return { done: false, value: events.shift() };
        if (state === "done") {
          state = "closed";
          return { done: true, value: outcome };
        }
        if (state === "failed") {
          state = "closed";
          throw outcome;
        }
        await new Promise((resolve) => (wake = resolve));
      }
    },
    async return(value) {
      if (state === "running") controller.abort(new DOMException("the commitIter consumer stopped iterating", "AbortError"));
      state = "closed";
      events.length = 0;
      notify();
      return { done: true, value };
    },
  };
  return {
    push: (event) => {
      if (state !== "closed") events.push(event);
      notify();
    },
    finish: (value) => {
      if (state === "running") [state, outcome] = ["done", value];
      notify();
    },
    fail: (error) => {
      if (state === "running") [state, outcome] = ["failed", error];
      notify();
    },
    iterator,
    signal: controller.signal,
  };
}
