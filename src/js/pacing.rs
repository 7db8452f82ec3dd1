//! Keeps long CPU work from freezing the host: callers report progress and we yield to the event
//! loop once a time slice has been used, so pages keep rendering and workers keep answering.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

// `catch`: should the JS side ever throw, the exception becomes a value here instead of unwinding
// through Rust frames (which would skip destructors and leave borrows held).
#[wasm_bindgen(module = "/src/js/pacing.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = yieldToEventLoop)]
    fn yield_to_event_loop() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = nowMs)]
    fn now_ms() -> Result<f64, JsValue>;
}

/// The host's clock, or `None` when it fails: pacing then counts bytes only.
fn now() -> Option<f64> {
    now_ms().ok().filter(|ms| ms.is_finite())
}

/// One frame at 60 Hz is ~16 ms; staying under it keeps animations smooth.
const SLICE_MS: f64 = 12.0;
/// Also yield after this much work: workerd freezes its clocks during execution, so time alone
/// would never trigger a yield there.
const SLICE_BYTES: u64 = 16 << 20;

pub(crate) struct Pacer {
    slice_start: Option<f64>,
    slice_bytes: u64,
}

impl Pacer {
    pub(crate) fn new() -> Self {
        Self { slice_start: now(), slice_bytes: 0 }
    }

    /// Records `bytes` of work done and yields to the event loop if the current slice is used up.
    pub(crate) async fn maybe_yield(&mut self, bytes: usize) {
        self.slice_bytes += bytes as u64;
        let slice_over = match (self.slice_start, now()) {
            (Some(start), Some(now)) => now - start >= SLICE_MS,
            _ => false,
        };
        if self.slice_bytes >= SLICE_BYTES || slice_over {
            // The promise never rejects; a failure here would only mean no yield happened.
            if let Ok(promise) = yield_to_event_loop() {
                let _ = JsFuture::from(promise).await;
            }
            self.slice_start = now();
            self.slice_bytes = 0;
        }
    }
}
