// Conformance of localhub judged by the official npm clients, @huggingface/hub and
// @huggingface/inference, used exactly as documented with `hubUrl` / `endpointUrl` pointed at it.
// Usage: node conformance/official-js.mjs LOCALHUB_URL
import { createHash, randomBytes } from "node:crypto";
import { commit, createRepo, deleteRepo, downloadFile, listFiles, repoExists, uploadFiles, whoAmI } from "@huggingface/hub";
import { InferenceClient } from "@huggingface/inference";
import { equal as assertEqual, ok as assert } from "../lib/assert.js";
import { report, runScenarios } from "../lib/harness.js";

const hubUrl = process.argv[2].replace(/\/$/, "");
const accessToken = "hf_localhub_demo_write_token";
const repo = { type: "model", name: "demo/js-conformance" };
const big = new Uint8Array(randomBytes(3_500_000)); // several chunks: goes through Xet
const small = new TextEncoder().encode("hello from @huggingface/hub\n");

const bytesOf = async (blob) => new Uint8Array(await blob.arrayBuffer());
const sameBytes = (a, b) => a.length === b.length && createHash("sha256").update(a).digest("hex") === createHash("sha256").update(b).digest("hex");

const scenarios = [
  { name: "whoAmI", run: async () => {
    const me = await whoAmI({ accessToken, hubUrl });
    assertEqual(me.name, "demo");
  } },
  { name: "createRepo", run: async () => {
    const created = await createRepo({ repo, accessToken, hubUrl });
    assertEqual(created.repoUrl, `${hubUrl}/demo/js-conformance`);
    assert(await repoExists({ repo, accessToken, hubUrl }), "repo exists after creation");
  } },
  { name: "uploadFiles (big file through Xet, small regular)", run: async () => {
    await uploadFiles({
      repo, accessToken, hubUrl,
      files: [
        { path: "data/big.bin", content: new Blob([big]) },
        { path: "small.txt", content: new Blob([small]) },
      ],
    });
  } },
  { name: "uploadFiles with useXet: false (LFS basic transfer)", run: async () => {
    const lfs = new Uint8Array(randomBytes(1_200_000));
    await uploadFiles({ repo, accessToken, hubUrl, useXet: false, files: [{ path: "lfs/plain.bin", content: new Blob([lfs]) }] });
    const blob = await downloadFile({ repo, path: "lfs/plain.bin", accessToken, hubUrl });
    assert(sameBytes(await bytesOf(blob), lfs), "same bytes");
  } },
  { name: "listFiles shows Xet hashes", run: async () => {
    const files = [];
    for await (const f of listFiles({ repo, accessToken, hubUrl, recursive: true })) files.push(f);
    const paths = files.map((f) => f.path);
    for (const p of [".gitattributes", "data", "data/big.bin", "small.txt"]) assert(paths.includes(p), `${p} listed in ${paths}`);
    const bigEntry = files.find((f) => f.path === "data/big.bin");
    assertEqual(bigEntry.size, big.length);
    assert(bigEntry.lfs && /^[0-9a-f]{64}$/.test(bigEntry.xetHash ?? ""), `LFS + xetHash on ${JSON.stringify(bigEntry)}`);
  } },
  { name: "downloadFile of a Xet file is byte-identical", run: async () => {
    const blob = await downloadFile({ repo, path: "data/big.bin", accessToken, hubUrl });
    assert(blob, "file found");
    assert(sameBytes(await bytesOf(blob), big), "same bytes");
  } },
  { name: "downloadFile of a Xet file, ranged slice", run: async () => {
    const blob = await downloadFile({ repo, path: "data/big.bin", accessToken, hubUrl });
    const slice = await bytesOf(blob.slice(1_000_000, 2_345_678));
    assert(sameBytes(slice, big.subarray(1_000_000, 2_345_678)), "same slice");
  } },
  { name: "downloadFile of a regular file; missing file is null", run: async () => {
    const blob = await downloadFile({ repo, path: "small.txt", accessToken, hubUrl });
    assert(sameBytes(await bytesOf(blob), small), "same bytes");
    assertEqual(await downloadFile({ repo, path: "nope.txt", accessToken, hubUrl }), null);
  } },
  { name: "commit with delete", run: async () => {
    await commit({ repo, accessToken, hubUrl, title: "delete small", operations: [{ operation: "delete", path: "small.txt" }] });
    const paths = [];
    for await (const f of listFiles({ repo, accessToken, hubUrl, recursive: true })) paths.push(f.path);
    assert(!paths.includes("small.txt"), "deleted");
  } },
  { name: "deleteRepo", run: async () => {
    await deleteRepo({ repo, accessToken, hubUrl });
    assert(!(await repoExists({ repo, accessToken, hubUrl })), "gone");
  } },
  { name: "inference: chatCompletion", run: async () => {
    const client = new InferenceClient(accessToken, { endpointUrl: hubUrl });
    const out = await client.chatCompletion({ model: "localhub/echo-chat", messages: [{ role: "user", content: "alpha beta" }] });
    assertEqual(out.choices[0].message.content, "You said: beta alpha");
  } },
  { name: "inference: chatCompletionStream", run: async () => {
    const client = new InferenceClient(accessToken, { endpointUrl: hubUrl });
    let text = "";
    let finish = null;
    for await (const chunk of client.chatCompletionStream({ model: "localhub/echo-chat", messages: [{ role: "user", content: "x y z" }], max_tokens: 4 })) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assertEqual(text, "You said: z y");
    assertEqual(finish, "length");
  } },
  { name: "inference: in-stream error is raised", run: async () => {
    const client = new InferenceClient(accessToken, { endpointUrl: hubUrl });
    let error = null;
    try {
      for await (const _ of client.chatCompletionStream({ model: "localhub/echo-chat", messages: [{ role: "user", content: "[[stream-error]]" }] })) { /* drain */ }
    } catch (e) {
      error = e;
    }
    assert(error && String(error.message).includes("Injected generation failure"), `raised: ${error}`);
  } },
];

process.exitCode = report("official js clients", await runScenarios(scenarios));
