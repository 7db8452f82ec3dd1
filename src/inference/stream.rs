//! Streamed answers: the request is sent at the first `next()`, the body is read piece by piece
//! into hubwasm-core's SSE parser, and each event's JSON is handed out as it completes — so the
//! first token reaches the caller as soon as its bytes arrive. The fetch runs under an
//! AbortController of its own that follows the caller's signal; `return()` (a `break`) aborts it,
//! which cancels the upstream body at once.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use hubwasm_core::inference::stream::{read_stream_data, ChunkShape, StreamItem};
use hubwasm_core::sse::{SseEvent, SseLimits, SseParser};
use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ReadableStreamDefaultReader};

use super::{output_error, output_failure, spawn, CallArgs, Inner, Method};
use crate::error::Error;
use crate::http::streams::{linked_controller, read_chunk, LinkedController};

#[wasm_bindgen(module = "/src/inference/inference.js")]
extern "C" {
    #[wasm_bindgen(js_name = chunkIterator)]
    fn chunk_iterator(reader: ChunkReader) -> JsValue;

    #[wasm_bindgen(js_name = cancelReader)]
    fn cancel_reader(reader: &ReadableStreamDefaultReader, reason: &JsValue);
}

/// The Rust half of a stream's iterator; users never hold it (inference.js does).
#[wasm_bindgen(skip_typescript)]
pub struct ChunkReader {
    state: Rc<RefCell<State>>,
}

struct State {
    inner: Rc<Inner>,
    method: Method,
    shape: ChunkShape,
    /// The arguments until the request is sent.
    call: Option<CallArgs>,
    caller_signal: Option<AbortSignal>,
    controller: LinkedController,
    reader: Option<ReadableStreamDefaultReader>,
    parser: SseParser,
    events: VecDeque<SseEvent>,
    finished: bool,
}

/// The async iterator of a streamed call; argument errors are thrown at once.
pub(crate) fn start(
    inner: Rc<Inner>,
    method: Method,
    shape: ChunkShape,
    args: JsValue,
    options: Option<JsValue>,
) -> Result<JsValue, Error> {
    let call = CallArgs::read(&args, &options.unwrap_or(JsValue::UNDEFINED), method)?;
    let caller_signal = call.signal.clone();
    let controller = linked_controller(caller_signal.clone());
    let state = State {
        inner,
        method,
        shape,
        call: Some(call),
        caller_signal,
        controller,
        reader: None,
        parser: SseParser::new(SseLimits::default()),
        events: VecDeque::new(),
        finished: false,
    };
    Ok(chunk_iterator(ChunkReader { state: Rc::new(RefCell::new(state)) }))
}

#[wasm_bindgen]
impl ChunkReader {
    /// The next chunk, or `undefined` after the last one.
    #[wasm_bindgen(skip_typescript)]
    pub fn next(&self) -> Promise {
        let state = self.state.clone();
        spawn(async move {
            let result = next(&state).await;
            if result.is_err() {
                stop(&state);
            }
            result
        })
    }

    /// Stops the stream: aborts the fetch (cancelling the upstream body) and drops what is buffered.
    #[wasm_bindgen(skip_typescript)]
    pub fn cancel(&self) {
        stop(&self.state);
    }
}

fn stop(state: &RefCell<State>) {
    let Ok(mut s) = state.try_borrow_mut() else {
        // A read is under way and holds the state: aborting the fetch ends that read.
        return abort_only(state);
    };
    if !s.finished {
        s.finished = true;
        s.controller.abort(JsValue::UNDEFINED);
        if let Some(reader) = s.reader.take() {
            cancel_reader(&reader, &JsValue::UNDEFINED);
        }
        s.events.clear();
    }
}

fn abort_only(state: &RefCell<State>) {
    if let Ok(s) = state.try_borrow() {
        s.controller.abort(JsValue::UNDEFINED);
    }
}

fn aborted_error(state: &RefCell<State>) -> Error {
    let signal = state.borrow().caller_signal.clone();
    Error::Aborted { cause: crate::http::abort_reason(signal.as_ref()) }
}

async fn next(state: &RefCell<State>) -> Result<JsValue, Error> {
    loop {
        // An abort is honoured before anything already buffered is handed out.
        if crate::http::aborted(state.borrow().caller_signal.as_ref()) {
            return Err(aborted_error(state));
        }
        // Events already parsed first.
        let event = {
            let mut s = state.borrow_mut();
            if s.finished {
                return Ok(JsValue::UNDEFINED);
            }
            s.events.pop_front()
        };
        if let Some(event) = event {
            let shape = state.borrow().shape;
            if event.event == "error" {
                return Err(output_error(format!("the provider sent an error event: {}", event.data)));
            }
            match read_stream_data(&event.data, shape).map_err(output_failure)? {
                StreamItem::Done => {
                    stop(state);
                    return Ok(JsValue::UNDEFINED);
                }
                StreamItem::Chunk(_) => {
                    return js_sys::JSON::parse(&event.data)
                        .map_err(|_| output_error("a stream event cannot be read as JSON".into()));
                }
            }
        }
        // Then the request, once.
        let call = state.borrow_mut().call.take();
        if let Some(call) = call {
            let (inner, method, fetch_signal) = {
                let s = state.borrow();
                (s.inner.clone(), s.method, s.controller.signal())
            };
            let (answer, _) = inner.send_read(method, call, true, Some(fetch_signal)).await?;
            let kind = answer.header("content-type").unwrap_or_default();
            if !kind.starts_with("text/event-stream") {
                let body = answer.bytes(None).await.unwrap_or_default();
                let preview = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
                if let Some(error) =
                    serde_json::from_slice(&body).ok().and_then(|v| hubwasm_core::inference::stream::error_of(&v))
                {
                    return Err(output_failure(error));
                }
                return Err(output_error(format!("expected an event stream, got {kind:?}: {preview}")));
            }
            let body = answer.response.body().ok_or_else(|| output_error("the stream's answer has no body".into()))?;
            let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
            state.borrow_mut().reader = Some(reader);
            continue;
        }
        // Then the next piece of the body.
        let Some(reader) = state.borrow().reader.clone() else { return Ok(JsValue::UNDEFINED) };
        let piece = JsFuture::from(read_chunk(&reader)).await;
        let aborted = {
            let s = state.borrow();
            s.finished || s.controller.signal().aborted()
        };
        let piece = match piece {
            Ok(piece) => piece,
            Err(_) if aborted => return Err(aborted_error(state)),
            Err(cause) => return Err(Error::Network { message: "the stream was cut".into(), cause }),
        };
        if aborted {
            return Err(aborted_error(state));
        }
        let mut s = state.borrow_mut();
        if piece.is_undefined() {
            // The end without `[DONE]`: what was complete was delivered; an open event is lost.
            let cut = s.parser.finish();
            drop(s);
            stop(state);
            if cut {
                return Err(output_error("the stream ended in the middle of an event".into()));
            }
            return Ok(JsValue::UNDEFINED);
        }
        let bytes = Uint8Array::new(&piece).to_vec();
        let mut out = Vec::new();
        let fed = s.parser.feed(&bytes, &mut out);
        s.events.extend(out);
        fed.map_err(|e| output_error(e.to_string()))?;
    }
}
