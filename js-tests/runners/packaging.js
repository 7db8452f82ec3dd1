// Packaging: `npm pack` the built package, install the tarball into a scratch project as a user
// would, and call the API from Node, Deno, a workerd Worker and a Chromium page. The package's
// exports are compared with the Rust exports (wasm-bindgen's hubwasm.d.ts, read by the TypeScript
// compiler): each exported function must be guarded and typed, nothing internal may leak.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { exportFor, launchChromium, resultsFromPage, serveStatic } from "../lib/browser.js";
import { report, steps } from "../lib/harness.js";
import { ABC_SHA256 as ABC, userProject } from "../lib/user-project.js";
import { bundleWorker, fetchFromWorker } from "../lib/workerd.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const deno = join(here, "../node_modules/.bin/deno");

// The same user code (check.js) in every runtime: import by package name, call the API.
const { project, sh } = userProject();
writeFileSync(join(project, "main.js"), `import { check } from "./check.js";\nconsole.log(await check());\n`);
// Synchronous APIs at the importer's top level, with nothing awaited first (Node, Deno, workerd load
// the module during import).
writeFileSync(
  join(project, "sync.js"),
  `import { createSha256 } from "hubwasm";
const hasher = createSha256();
hasher.update(new TextEncoder().encode("abc"));
console.log(hasher.digest() === "${ABC}" ? "ok" : "wrong digest " + hasher.digest());
`,
);
writeFileSync(
  join(project, "worker.js"),
  `import { check } from "./check.js";\nexport default { async fetch() { try { return Response.json(await check()); } catch (e) { return Response.json(String(e.stack)); } } };\n`,
);

const { results, step } = steps();
const expectOk = (out, where) => {
  if (String(out).trim() !== "ok") throw new Error(`${where} printed: ${out}`);
};
const installed = join(project, "node_modules/hubwasm");
const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));

await step("tarball: every export target and the wasm are in the package", () => {
  for (const condition of Object.keys(pkg.exports["."])) {
    const file = join(installed, exportFor(pkg, condition));
    if (!existsSync(file)) throw new Error(`export "${condition}" points at a missing ${file}`);
  }
  for (const file of ["hubwasm_bg.wasm", "hubwasm.js", "index.d.ts", "errors.js", "errors.d.ts", "README.md"]) {
    if (!existsSync(join(installed, file))) throw new Error(`${file} is missing from the tarball`);
  }
});
/**
 * What a `.d.ts` exports, as the TypeScript compiler sees it: name → { value, typeOnly, function,
 * async, constructible } (`constructible`: a class with a constructor that is not private).
 */
function declaredExports(file) {
  const program = ts.createProgram([file], {
    noEmit: true,
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"],
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const exports = new Map();
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source))) {
    const declaration = symbol.declarations?.[0];
    const typeOnly = Boolean(declaration && ts.isExportSpecifier(declaration) && (declaration.isTypeOnly || declaration.parent.parent.isTypeOnly));
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const isFunction = Boolean(target.flags & ts.SymbolFlags.Function);
    const signature = isFunction ? checker.getTypeOfSymbolAtLocation(target, source).getCallSignatures()[0] : undefined;
    const classDeclaration = target.declarations?.find(ts.isClassDeclaration);
    const constructible = Boolean(
      classDeclaration?.members.some(
        (m) => ts.isConstructorDeclaration(m) && !m.modifiers?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword),
      ),
    );
    exports.set(symbol.name, {
      constructible,
      value: Boolean(target.flags & ts.SymbolFlags.Value) && !typeOnly,
      typeOnly,
      function: isFunction,
      async: signature !== undefined && checker.typeToString(signature.getReturnType()).startsWith("Promise<"),
    });
  }
  return exports;
}

// wasm-bindgen's loader API for `--target web`: used by the runtime entries, never by users.
const LOADER = ["initSync", "default", "InitInput", "InitOutput", "SyncInitInput"];
// Exports the package's own scripts use (the Node entry, its chunking thread): kept out of the API.
const INTERNAL_PREFIX = "__hubwasm";

await step("exports: every Rust export is in the package, guarded and typed; nothing internal leaks", () => {
  const rust = [...declaredExports(join(installed, "hubwasm.d.ts"))].filter(
    ([name]) => !LOADER.includes(name) && !name.startsWith(INTERNAL_PREFIX),
  );
  const typed = declaredExports(join(installed, "index.d.ts"));
  const problems = [];
  const functions = rust.filter(([, e]) => e.function);
  if (functions.length === 0) problems.push("hubwasm.d.ts exports no function");
  for (const [name, e] of rust) {
    const t = typed.get(name);
    if (e.function && !(t?.value && t.function)) problems.push(`${name}() has no function type in index.d.ts`);
    if (e.constructible && !t?.value) problems.push(`${name} has a constructor but index.d.ts does not export it as a value`);
    if (!e.function && !e.constructible && !t?.typeOnly) problems.push(`${name} must be exported by index.d.ts as a type only`);
  }
  const classes = rust.filter(([, e]) => e.constructible).map(([name]) => name);
  // The runtime surface, in a fresh Node process: names, guards before the module loads, and
  // that each function is a wrapper rather than the raw binding.
  const script = `
import * as api from "./node_modules/hubwasm/api.js";
import * as raw from "./node_modules/hubwasm/hubwasm.js";
import { startLoading } from "./node_modules/hubwasm/ready.js";
import { readFileSync } from "node:fs";
const functions = JSON.parse(process.argv[2]);
const classes = JSON.parse(process.argv[3]);
const out = { names: Object.keys(api), errorClasses: [], problems: [] };
for (const [name, value] of Object.entries(api)) {
  if (typeof value === "function" && (value === api.HubError || value.prototype instanceof api.HubError)) out.errorClasses.push(name);
}
const pending = [];
for (const [name, isAsync] of functions) {
  if (api[name] === raw[name]) out.problems.push(name + " is the raw binding, not a guarded wrapper");
  let result;
  try { result = api[name](); } catch (e) {
    if (isAsync || e?.code !== "NOT_READY") out.problems.push(name + "() before load threw " + e);
    continue;
  }
  if (!isAsync) out.problems.push(name + "() before load did not throw NOT_READY");
  else if (!(result instanceof Promise)) out.problems.push(name + "() before load returned no Promise");
  else {
    let settled = false;
    result.then(() => (settled = true), () => (settled = true));
    pending.push([name, result, () => settled]);
  }
}
for (const name of classes) {
  if (api[name] === raw[name]) out.problems.push(name + " is the raw class, not a handle class");
  try { new api[name](); out.problems.push("new " + name + "() before load did not throw"); }
  catch (e) { if (e?.code !== "NOT_READY") out.problems.push("new " + name + "() before load threw " + e); }
}
await new Promise((resolve) => setImmediate(resolve));
for (const [name, , settled] of pending) if (settled()) out.problems.push(name + "() settled before the module loaded");
raw.initSync({ module: readFileSync("./node_modules/hubwasm/hubwasm_bg.wasm") });
startLoading();
for (const [name, promise] of pending) {
  await promise.catch((e) => { if (!(e instanceof api.HubError)) out.problems.push(name + "() after load rejected with " + e); });
}
for (const name of classes) {
  try { if (!(new api[name]() instanceof api[name])) out.problems.push("new " + name + "() is not an instance of it"); }
  catch (e) { out.problems.push("new " + name + "() after load threw " + e); }
}
console.log(JSON.stringify(out));
`;
  writeFileSync(join(project, "surface.mjs"), script);
  const runtime = JSON.parse(
    sh("node", ["surface.mjs", JSON.stringify(functions.map(([name, e]) => [name, e.async])), JSON.stringify(classes)]),
  );
  problems.push(...runtime.problems);
  if (classes.length === 0) problems.push("hubwasm.d.ts exports no class with a constructor (HubClient)");
  const expected = new Set([...functions.map(([name]) => name), ...classes, ...runtime.errorClasses, "ready"]);
  for (const name of runtime.names) {
    if (!expected.has(name)) problems.push(`the package exports ${name}, which is neither a Rust function or class, an error class nor ready`);
    if (!typed.get(name)?.value) problems.push(`the package exports ${name} without a type in index.d.ts`);
  }
  for (const name of expected) if (!runtime.names.includes(name)) problems.push(`the package does not export ${name}`);
  for (const [name, t] of typed) if (t.value && !runtime.names.includes(name)) problems.push(`index.d.ts types ${name}, which the package does not export`);
  if (runtime.errorClasses.length < 2) problems.push(`too few error classes: ${runtime.errorClasses}`);
  if (problems.length > 0) throw new Error(problems.join("\n"));
});
await step("node: import from the installed tarball", () => expectOk(sh("node", ["main.js"]), "node"));
await step("node: synchronous API at the top level right after import", () => expectOk(sh("node", ["sync.js"]), "node"));
await step("deno: synchronous API at the top level right after import", () =>
  expectOk(sh(deno, ["run", "--allow-read", "--no-check", "sync.js"]), "deno"),
);
await step("deno: import from the installed tarball", () =>
  expectOk(sh(deno, ["run", "--allow-read", "--no-check", "main.js"]), "deno"),
);
await step("workerd: a Worker bundled from the installed tarball", async () =>
  expectOk(await fetchFromWorker(await bundleWorker(join(project, "worker.js"))), "workerd"),
);
await step("chromium: a page importing the installed tarball", async () => {
  const page = `<!doctype html><script type="importmap">${JSON.stringify({
    imports: { hubwasm: `/node_modules/hubwasm/${exportFor(pkg, "browser")}` },
  })}</script><script type="module">import { check } from "/check.js"; window.__results = await check().catch((e) => String(e.stack));</script>`;
  const server = await serveStatic(project, { "/": page });
  const browser = await launchChromium();
  try {
    expectOk(await resultsFromPage(browser, `${server.url}/`), "chromium");
  } finally {
    await browser.close();
    await server.close();
  }
});

process.exitCode = report("packaging", results);
