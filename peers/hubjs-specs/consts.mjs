// Stands in for @huggingface/hub's src/test/consts.ts: the same CI account, the Hub URL from the runner.
export { TEST_USER, TEST_ACCESS_TOKEN, TEST_COOKIE } from "./node_modules/@huggingface/hub/src/test/consts.ts";

const url = process.env.HUBJS_SPECS_HUB_URL;
if (!url) throw new Error("HUBJS_SPECS_HUB_URL is not set: run the specs through run.mjs LOCALHUB_URL");
export const TEST_HUB_URL = url.replace(/\/$/, "");
