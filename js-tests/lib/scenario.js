// Helpers every hub scenario shares; portable (no Node built-ins), as scenarios run in every runtime.

/** The seeded localhub context, or a clear error when a runner was started without one. */
export function hub(context) {
  if (!context?.hubUrl) {
    throw new Error("no localhub context: run the js suites through `cargo xtask test` (it sets HUBWASM_TEST_HUB)");
  }
  return context;
}

export const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");

/** SHA-256 by WebCrypto, in hex: the judge of bytes against the fixture manifest's sums. */
export const sha256Hex = async (bytes) => hex(await crypto.subtle.digest("SHA-256", bytes));
