// Miniflare for the example Workers' own test clients (examples/cloudflare-worker/test.mjs), which
// live outside js-tests and so cannot resolve js-tests' packages themselves.
export { Miniflare } from "miniflare";
