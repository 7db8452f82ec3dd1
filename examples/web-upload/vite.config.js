// The one option hubwasm needs under Vite: keep the dev server's dependency pre-bundling away from it
// (pre-bundling moves its JS without the .wasm it loads by `new URL(..., import.meta.url)`).
export default { optimizeDeps: { exclude: ["hubwasm"] } };
