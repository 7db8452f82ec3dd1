// The specs must run offline: a fetch to anything but loopback fails at once with a message naming the URL,
// instead of hanging or quietly reaching huggingface.co.
const realFetch = globalThis.fetch;
const loopback = new Set(["127.0.0.1", "localhost", "[::1]"]);

globalThis.fetch = (input, init) => {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  if (!loopback.has(url.hostname)) {
    return Promise.reject(new TypeError(`hubjs-specs runs offline: refused a fetch of ${url.href}`));
  }
  return realFetch(input, init);
};
