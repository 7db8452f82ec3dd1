// Runs scenarios inside runtimes that have no test runner of their own (workerd, a browser page)
// and reports them from Node in one format: `ok - name` lines and a final `N passed, N failed`.

/**
 * Runs every scenario in order; never throws. A scenario may return `{ notes: [...] }` to report
 * what it could not check in this runtime (printed with its result, never dropped silently).
 * `context` (the seeded localhub: `{ hubUrl, tokens, manifest }`) is passed to each `run`.
 */
export async function runScenarios(scenarios, context) {
  const results = [];
  for (const { name, run } of scenarios) {
    const started = Date.now();
    try {
      const outcome = await run(context);
      results.push({ name, ok: true, ms: Date.now() - started, notes: outcome?.notes ?? [] });
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);
      results.push({ name, ok: false, ms: Date.now() - started, error: detail });
    }
  }
  return results;
}

/**
 * Named steps run in order from Node (a build, a process, a page), each recorded as passed or failed
 * with its error (and a child process's stderr); never throws. Pass `results` to `report`.
 */
export function steps() {
  const results = [];
  async function step(name, fn) {
    const started = Date.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: Date.now() - started });
    } catch (error) {
      const detail = error?.stderr ? `${error.message}\n${error.stderr}` : (error?.stack ?? String(error));
      results.push({ name, ok: false, ms: Date.now() - started, error: detail });
    }
  }
  return { results, step };
}

/** Prints results and returns the process exit code (non-zero on failure or when nothing ran). */
export function report(suite, results) {
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    if (r.ok) {
      passed++;
      console.log(`ok - ${r.name} (${r.ms} ms)`);
      for (const note of r.notes ?? []) console.log(`  # ${note}`);
    } else {
      failed++;
      console.log(`not ok - ${r.name}\n  ${String(r.error).replaceAll("\n", "\n  ")}`);
    }
  }
  console.log(`${suite}: ${passed} passed, ${failed} failed`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}
