// Runs @huggingface/hub's own spec files (src/lib/**/*.spec.ts of the pinned npm package, unchanged)
// against a localhub started with `--user hub.js:hf_hub.js:write`, the CI account the specs use.
// Usage: node run.mjs LOCALHUB_URL
//
// What is not run is listed by name, with the reason, in excluded.json and printed. The run fails on a
// failed test, on a spec file that is neither run nor listed, on a skipped test that is not listed, and
// on a listed file or test that no longer exists. It ends with `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const specRoot = join(here, "node_modules", "@huggingface", "hub", "src", "lib");

const hubUrl = process.argv[2];
if (!hubUrl || !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/?$/.test(hubUrl)) {
  console.error("usage: node run.mjs http://127.0.0.1:PORT  (a localhub with --user hub.js:hf_hub.js:write)");
  process.exit(2);
}

const problems = [];
const { excluded } = JSON.parse(readFileSync(join(here, "excluded.json"), "utf8"));
for (const e of excluded) {
  if (!e.spec || !e.needs || !e.reason) problems.push(`excluded.json: an entry lacks spec, needs or reason: ${JSON.stringify(e)}`);
}
const wholeFiles = new Map(excluded.filter((e) => !e.test).map((e) => [e.spec, e]));
const byTest = new Map(excluded.filter((e) => e.test).map((e) => [`${e.spec} :: ${e.test}`, e]));

const specFiles = listSpecs(specRoot).map((f) => relative(specRoot, f)).sort();
if (specFiles.length === 0) problems.push(`no spec files under ${specRoot}: run \`npm install\` in ${here}`);
for (const spec of new Set(excluded.map((e) => e.spec))) {
  if (!specFiles.includes(spec)) problems.push(`excluded.json names ${spec}, which the package does not ship`);
}
for (const e of byTest.values()) {
  if (wholeFiles.has(e.spec)) problems.push(`excluded.json lists ${e.spec} whole and a test of it: keep one`);
}
const toRun = specFiles.filter((f) => !wholeFiles.has(f));

// Listed tests are skipped through vitest's name filter: a full name is the describe titles and the test
// title joined by spaces. The filter only selects; the check below verifies each skip against the list.
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const skippedNames = [...byTest.values()].map((e) => escape(e.test.split(" > ").join(" ")));
const namePattern = skippedNames.length ? `^(?!(?:.* )?(?:${skippedNames.join("|")})$)` : "";

const outDir = mkdtempSync(join(tmpdir(), "hubjs-specs-"));
const reportPath = join(outDir, "report.json");
const args = [
  join(here, "node_modules", "vitest", "vitest.mjs"),
  "run",
  "--config",
  join(here, "vitest.config.mjs"),
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${reportPath}`,
  ...(namePattern ? ["--testNamePattern", namePattern] : []),
  ...toRun.map((f) => join(specRoot, f)),
];
const vitest = spawnSync(process.execPath, args, {
  cwd: here,
  stdio: "inherit",
  env: { ...process.env, HUBJS_SPECS_HUB_URL: hubUrl.replace(/\/$/, ""), NO_COLOR: "1", FORCE_COLOR: "0" },
});

let passed = 0;
let failed = 0;
const seen = new Set();
let report;
try {
  report = JSON.parse(readFileSync(reportPath, "utf8"));
} catch (e) {
  problems.push(`vitest wrote no report (exit ${vitest.status}): ${e.message}`);
}
rmSync(outDir, { recursive: true, force: true });

const ranFiles = new Set();
for (const file of report?.testResults ?? []) {
  const spec = relative(specRoot, file.name);
  ranFiles.add(spec);
  if (file.assertionResults.length === 0 && file.status === "failed") {
    failed += 1;
    console.log(`not ok - ${spec}: ${firstLine(file.message)}`);
  }
  for (const t of file.assertionResults) {
    const name = [...t.ancestorTitles, t.title].join(" > ");
    const key = `${spec} :: ${name}`;
    if (t.status === "passed") {
      passed += 1;
    } else if (t.status === "failed") {
      failed += 1;
      console.log(`not ok - ${key}: ${firstLine(t.failureMessages?.[0])}`);
    } else if (byTest.has(key)) {
      seen.add(key);
    } else {
      problems.push(`${key} was ${t.status} but is not in excluded.json`);
    }
  }
}
for (const spec of toRun) {
  if (report && !ranFiles.has(spec)) problems.push(`${spec} was to run but vitest reported nothing for it`);
}
for (const key of byTest.keys()) {
  if (report && !seen.has(key)) problems.push(`excluded.json lists ${key}, which vitest did not find`);
}

console.log(`\nExcluded (${wholeFiles.size} spec files, ${byTest.size} tests; excluded.json):`);
for (const e of excluded) {
  console.log(`  - ${e.spec}${e.test ? ` > ${e.test}` : " (whole file)"} [needs ${e.needs}]: ${e.reason}`);
}
for (const p of problems) console.log(`not ok - runner: ${p}`);
failed += problems.length;
if (passed + failed === 0 || (vitest.status !== 0 && failed === 0)) {
  console.log(`not ok - runner: vitest exited with ${vitest.status} and no failed test to explain it`);
  failed += 1;
}
console.log(`\nhubjs-specs: ${toRun.length} of ${specFiles.length} spec files run against ${hubUrl}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

function listSpecs(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((d) =>
    d.isDirectory() ? listSpecs(join(dir, d.name)) : d.name.endsWith(".spec.ts") ? [join(dir, d.name)] : [],
  );
}

function firstLine(message) {
  return String(message ?? "").split("\n")[0].slice(0, 300);
}
