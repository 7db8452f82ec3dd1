//! Keeps long CPU work from freezing the host: callers report progress and we yield to the event
//! loop once a time slice has been used, so pages keep rendering and workers keep answering.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/js/pacing.js")]
extern "C" {
    #[wasm_bindgen(js_name = yieldToEventLoop)]
    fn yield_to_event_loop() -> js_sys::Promise;
    #[wasm_bindgen(js_name = nowMs)]
    fn now_ms() -> f64;
}

/// One frame at 60 Hz is ~16 ms; staying under it keeps animations smooth.
const SLICE_MS: f64 = 12.0;
/// Also yield after this much work: workerd freezes its clocks during execution, so time alone
/// would never trigger a yield there.
const SLICE_BYTES: u64 = 16 << 20;

pub(crate) struct Pacer {
    slice_start: f64,
    slice_bytes: u64,
}

impl Pacer {
    pub(crate) fn new() -> Self {
        Self { slice_start: now_ms(), slice_bytes: 0 }
    }

    /// Records `bytes` of work done and yields to the event loop if the current slice is used up.
    pub(crate) async fn maybe_yield(&mut self, bytes: usize) {
        self.slice_bytes += bytes as u64;
        if self.slice_bytes >= SLICE_BYTES || now_ms() - self.slice_start >= SLICE_MS {
            // The promise never rejects; a failure here would only mean no yield happened.
            let _ = JsFuture::from(yield_to_event_loop()).await;
            self.slice_start = now_ms();
            self.slice_bytes = 0;
        }
    }
}
