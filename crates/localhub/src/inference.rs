//! The inference router (spec hub-api.md §10) with deterministic built-in models, and the judge of
//! the inference clients' behaviour.
//!
//! - Chat (`…/chat/completions`) and completions (`…/v1/completions`) answer `You said: ` followed
//!   by the words of the last user message (or prompt) in reverse order, one token per word,
//!   honouring `max_tokens` (then `finish_reason: "length"`).
//! - Streams wait `token_delay_ms` between tokens, or `N` ms for a prompt holding `[[delay:N]]`
//!   (at most 5 s), so "the first chunk arrives long before the last" is observable.
//! - A prompt holding `[[stream-error]]` makes a stream fail after its first token with an
//!   in-stream error event.
//! - Every chat and completion call is logged (`GET /admin/inference`): its path, model, the kind
//!   of credential, whether it streamed, the tokens sent and how it ended — `cancelled` when the
//!   client went away before the end, which is how tests see an abort reach the server.
//! - Auth is the real split (§10.1): the router's routes take a localhub token, the providers'
//!   own base URLs (`/providers/{name}/…`) take a configured provider key and refuse Hub tokens;
//!   `/{provider}/…` router routes also take a provider key, as before.
//! - `hf-inference` serves the non-chat tasks by model name: feature-extraction,
//!   text-classification, text-to-image, automatic-speech-recognition, image-classification.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, Response, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::ctx::Ctx;
use crate::http::{self, HubError, HubResult};

/// Providers a model is mapped to (spec §10.5 names); the router serves them all itself.
const PROVIDERS: &[&str] = &[
    "hf-inference",
    "together",
    "groq",
    "cerebras",
    "fireworks-ai",
    "novita",
    "nscale",
    "sambanova",
    "scaleway",
    "featherless-ai",
    "deepinfra",
    "cohere",
    "baseten",
    "publicai",
    "ovhcloud",
    "zai-org",
];

/// Calls kept in the log.
const LOG_LEN: usize = 256;
/// Longest per-token delay a prompt may ask for.
const MAX_PROMPT_DELAY_MS: u64 = 5000;

/// Whether a path belongs to the router: `…/chat/completions`, `…/v1/completions`, `/v1/models`,
/// `/hf-inference/…`, `/providers/…` — never a repo file's URL that happens to end that way.
pub fn handles(segs: &[&str]) -> bool {
    if segs.len() > 2 && matches!(segs[2], "resolve" | "blob" | "raw" | "tree" | "commit") {
        return false;
    }
    segs.ends_with(&["chat", "completions"])
        || segs.ends_with(&["v1", "completions"])
        || segs.starts_with(&["v1", "models"])
        || segs.first() == Some(&"hf-inference")
        || segs.first() == Some(&"providers")
}

/// The provider id a provider knows a model by: the Hub id on hf-inference, another name
/// elsewhere, so a client that ignores the mapping is seen sending the wrong model.
pub fn provider_model_id(provider: &str, model: &str) -> String {
    if provider == "hf-inference" {
        model.to_string()
    } else {
        format!("{model}--{provider}")
    }
}

/// The `inferenceProviderMapping` object of a model: every provider for chat models, only
/// hf-inference for the other tasks (as on the Hub, where the providers serve chat).
pub fn provider_mapping(model: &str) -> Value {
    let task = builtin_task(model);
    let mut map = serde_json::Map::new();
    for p in PROVIDERS.iter().filter(|p| task == "conversational" || **p == "hf-inference") {
        map.insert(
            (*p).to_string(),
            json!({ "status": "live", "providerId": provider_model_id(p, model), "task": task, "isModelAuthor": false }),
        );
    }
    Value::Object(map)
}

/// The task of a built-in model, from words in its name.
fn builtin_task(model: &str) -> &'static str {
    let m = model.to_ascii_lowercase();
    if m.contains("whisper") || m.contains("speech") {
        "automatic-speech-recognition"
    } else if m.contains("image-classif") {
        "image-classification"
    } else if m.contains("embed") {
        "feature-extraction"
    } else if m.contains("sentiment") || m.contains("classif") {
        "text-classification"
    } else if m.contains("diffusion") || m.contains("painter") || m.contains("image") {
        "text-to-image"
    } else if m.contains("gpt2") || m.contains("completer") {
        "text-generation"
    } else {
        "conversational"
    }
}

fn is_provider_key(app: &App, ctx: &Ctx) -> bool {
    ctx.caller
        .bearer
        .as_deref()
        .is_some_and(|b| app.provider_keys.iter().any(|k| crate::signing::constant_time_eq(k.as_bytes(), b.as_bytes())))
}

/// Whether the caller may use the router: a localhub token, or a configured provider key.
pub fn authorized(app: &App, ctx: &Ctx) -> bool {
    !ctx.caller.anonymous() || is_provider_key(app, ctx)
}

/// One chat or completion call, as `GET /admin/inference` shows it.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct CallRecord {
    id: u64,
    path: String,
    model: String,
    /// `hf-token` (a localhub token) or `provider-key`.
    credential: &'static str,
    prompt: String,
    stream: bool,
    tokens_sent: usize,
    tokens_total: usize,
    /// `answered` (not streamed), `streaming`, `completed`, `failed` (in-stream error) or
    /// `cancelled` (the client went away first).
    outcome: &'static str,
}

/// The log of chat and completion calls.
#[derive(Default)]
pub struct Stats {
    log: Mutex<Log>,
}

#[derive(Default)]
struct Log {
    next_id: u64,
    calls: VecDeque<CallRecord>,
}

impl Stats {
    fn lock(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, mut call: CallRecord) -> u64 {
        let mut log = self.lock();
        log.next_id += 1;
        call.id = log.next_id;
        if log.calls.len() == LOG_LEN {
            log.calls.pop_front();
        }
        log.calls.push_back(call);
        log.next_id
    }

    fn update(&self, id: u64, change: impl FnOnce(&mut CallRecord)) {
        if let Some(call) = self.lock().calls.iter_mut().find(|c| c.id == id) {
            change(call);
        }
    }

    /// The `GET /admin/inference` answer: counts by outcome and the recent calls, oldest first.
    pub fn to_json(&self) -> Value {
        let log = self.lock();
        let count = |outcome: &str| log.calls.iter().filter(|c| c.outcome == outcome).count();
        json!({
            "streams": {
                "started": log.calls.iter().filter(|c| c.stream).count(),
                "completed": count("completed"),
                "cancelled": count("cancelled"),
                "failed": count("failed"),
            },
            "calls": log.calls.iter().collect::<Vec<_>>(),
        })
    }
}

/// Marks a streamed call `cancelled` if its body is dropped before the end (hyper drops it when
/// the client disconnects and the next write fails).
struct StreamGuard {
    app: App,
    id: u64,
    sent: usize,
    outcome: Option<&'static str>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let (sent, outcome) = (self.sent, self.outcome.unwrap_or("cancelled"));
        self.app.inference.update(self.id, |c| {
            c.tokens_sent = sent;
            c.outcome = outcome;
        });
    }
}

pub async fn route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    if !authorized(app, ctx) {
        return Err(HubError::unauthorized("The inference router needs a valid localhub token or provider key"));
    }
    let provider_key = is_provider_key(app, ctx);
    match segs {
        ["providers", ..] if !provider_key => {
            return Err(HubError::unauthorized("A provider's own API takes its provider key, not a Hub token"))
        }
        ["v1", "chat", "completions"] if provider_key => {
            return Err(HubError::unauthorized(
                "The router's provider \"auto\" needs a Hugging Face token, not a provider key",
            ))
        }
        _ => {}
    }
    if segs.ends_with(&["chat", "completions"]) {
        return generate(app, ctx, Kind::Chat).await;
    }
    if segs.ends_with(&["v1", "completions"]) {
        return generate(app, ctx, Kind::Completion).await;
    }
    match segs {
        ["v1", "models"] => {
            let data: Vec<Value> = ["localhub/echo-chat"]
                .iter()
                .map(|id| json!({ "id": id, "object": "model", "created": 0, "owned_by": "localhub", "providers": [{ "provider": "hf-inference", "status": "live" }] }))
                .collect();
            Ok(http::ok_json(json!({ "object": "list", "data": data })))
        }
        ["hf-inference", "models", rest @ ..] => hf_inference(ctx, rest),
        _ => Err(HubError::not_found("Unknown inference route")),
    }
}

fn last_user_text(body: &Value) -> String {
    let messages = body.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
    let last = messages.iter().rev().find(|m| m.get("role").and_then(Value::as_str) == Some("user"));
    match last.and_then(|m| m.get("content")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => {
            parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join(" ")
        }
        _ => String::new(),
    }
}

/// The built-in model's answer, as tokens.
pub fn answer_tokens(prompt: &str) -> Vec<String> {
    let mut tokens = vec!["You".to_string(), " said:".to_string()];
    tokens.extend(prompt.split_whitespace().rev().map(|w| format!(" {w}")));
    tokens
}

/// The per-token delay a prompt asks for with `[[delay:N]]`.
fn prompt_delay_ms(prompt: &str) -> Option<u64> {
    let rest = &prompt[prompt.find("[[delay:")? + "[[delay:".len()..];
    let ms: u64 = rest[..rest.find("]]")?].parse().ok()?;
    Some(ms.min(MAX_PROMPT_DELAY_MS))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `…/chat/completions`: `messages` in, `chat.completion(.chunk)` out.
    Chat,
    /// `…/v1/completions`: `prompt` in, `text_completion` out.
    Completion,
}

async fn generate(app: &App, ctx: &Ctx, kind: Kind) -> HubResult {
    let body = ctx.json()?;
    let model = body.get("model").and_then(Value::as_str).unwrap_or("localhub/echo-chat").to_string();
    let prompt = match kind {
        Kind::Chat => {
            if body.get("messages").and_then(Value::as_array).is_none_or(|m| m.is_empty()) {
                return Err(HubError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    "\"messages\" must be a non-empty array",
                ));
            }
            last_user_text(&body)
        }
        Kind::Completion => match body.get("prompt") {
            Some(Value::String(p)) => p.clone(),
            _ => return Err(HubError::new(StatusCode::UNPROCESSABLE_ENTITY, None, "\"prompt\" must be a string")),
        },
    };
    let all = answer_tokens(&prompt);
    let max = body
        .get("max_tokens")
        .or_else(|| body.get("max_completion_tokens"))
        .and_then(Value::as_u64)
        .map(|m| m as usize);
    let truncated = max.is_some_and(|m| m < all.len());
    let tokens: Vec<String> = all.into_iter().take(max.unwrap_or(usize::MAX)).collect();
    let finish = if truncated { "length" } else { "stop" };
    let prompt_tokens = prompt.split_whitespace().count() as u64;
    let usage = json!({ "prompt_tokens": prompt_tokens, "completion_tokens": tokens.len(), "total_tokens": prompt_tokens + tokens.len() as u64 });
    let (prefix, object) = match kind {
        Kind::Chat => ("chatcmpl", "chat.completion"),
        Kind::Completion => ("cmpl", "text_completion"),
    };
    let id = format!("{prefix}-{}", crate::store::new_uid());
    let created = http::now_unix();
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let record = CallRecord {
        id: 0,
        path: ctx.path.clone(),
        model: model.clone(),
        credential: if is_provider_key(app, ctx) { "provider-key" } else { "hf-token" },
        prompt: prompt.clone(),
        stream,
        tokens_sent: if stream { 0 } else { tokens.len() },
        tokens_total: tokens.len(),
        outcome: if stream { "streaming" } else { "answered" },
    };
    let call_id = app.inference.record(record);
    if !stream {
        let choice = match kind {
            Kind::Chat => {
                json!({ "index": 0, "message": { "role": "assistant", "content": tokens.concat() }, "finish_reason": finish, "logprobs": null })
            }
            Kind::Completion => {
                json!({ "index": 0, "text": tokens.concat(), "finish_reason": finish, "logprobs": null })
            }
        };
        return Ok(http::ok_json(json!({
            "id": id, "object": object, "created": created, "model": model, "system_fingerprint": "localhub",
            "choices": [choice], "usage": usage,
        })));
    }
    let include_usage = body.pointer("/stream_options/include_usage").and_then(Value::as_bool).unwrap_or(false);
    let fail = prompt.contains("[[stream-error]]");
    let delay = prompt_delay_ms(&prompt).unwrap_or_else(|| app.token_delay_ms());
    let chunk_object = match kind {
        Kind::Chat => "chat.completion.chunk",
        Kind::Completion => "text_completion",
    };
    let chunk = move |i: Option<usize>, text: &str, finish: Value| {
        let choice = match kind {
            Kind::Chat => {
                let delta = match i {
                    Some(0) => json!({ "role": "assistant", "content": text }),
                    Some(_) => json!({ "content": text }),
                    None => json!({}),
                };
                json!({ "index": 0, "delta": delta, "finish_reason": finish, "logprobs": null })
            }
            Kind::Completion => json!({ "index": 0, "text": text, "finish_reason": finish, "logprobs": null }),
        };
        json!({ "id": id, "object": chunk_object, "created": created, "model": model, "system_fingerprint": "localhub",
                "choices": [choice] })
    };
    // Each event with the number of tokens delivered once it is sent.
    let mut events: Vec<(String, usize)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        events.push((chunk(Some(i), t, Value::Null).to_string(), i + 1));
        if fail {
            events.push((
                json!({ "error": "Injected generation failure ([[stream-error]] in the prompt)", "error_type": "generation" })
                    .to_string(),
                i + 1,
            ));
            break;
        }
    }
    let sent_all = if fail { 1.min(tokens.len()) } else { tokens.len() };
    if !fail {
        events.push((chunk(None, "", json!(finish)).to_string(), sent_all));
        if include_usage {
            let mut last = chunk(None, "", Value::Null);
            last["choices"] = json!([]);
            last["usage"] = usage;
            events.push((last.to_string(), sent_all));
        }
        events.push(("[DONE]".to_string(), sent_all));
    }
    let guard = StreamGuard { app: app.clone(), id: call_id, sent: 0, outcome: None };
    let end = if fail { "failed" } else { "completed" };
    let stream =
        futures_util::stream::unfold((events.into_iter(), true, guard), move |(mut it, first, mut guard)| async move {
            let (event, sent) = it.next()?;
            if !first && delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            if it.len() == 0 {
                // The last event: a client that closes right after reading it saw the whole stream.
                guard.outcome = Some(end);
            }
            guard.sent = sent;
            // Live, so a test can ask how far the stream is while its client reads.
            guard.app.inference.update(guard.id, |c| c.tokens_sent = sent);
            Some((Ok::<Bytes, std::io::Error>(Bytes::from(format!("data: {event}\n\n"))), (it, false, guard)))
        });
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(stream))
        .expect("valid"))
}

/// `hf-inference` task routes: `models/{id}` (the task the model's name says) and
/// `models/{id}/pipeline/{feature-extraction|sentence-similarity}`.
fn hf_inference(ctx: &Ctx, rest: &[&str]) -> HubResult {
    let (model, pipeline) = match rest {
        [ns, name, "pipeline", task] => (format!("{ns}/{name}"), Some(*task)),
        [ns, name] => (format!("{ns}/{name}"), None),
        _ => return Err(HubError::not_found("Unknown model route")),
    };
    let task = pipeline.unwrap_or_else(|| builtin_task(&model));
    match task {
        // Binary tasks: the raw bytes of the audio or image.
        "automatic-speech-recognition" => Ok(http::ok_json(json!({ "text": transcribe(&ctx.body) }))),
        "image-classification" => Ok(http::ok_json(classify_image(&ctx.body))),
        _ => hf_inference_json(ctx, &model, task),
    }
}

fn hf_inference_json(ctx: &Ctx, model: &str, task: &str) -> HubResult {
    let body = ctx.json()?;
    let inputs = body.get("inputs").cloned().unwrap_or(Value::Null);
    let texts: Vec<String> = match &inputs {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => return Err(HubError::bad_request("\"inputs\" must be a string or a list of strings")),
    };
    match task {
        "feature-extraction" | "sentence-similarity" => {
            let vectors: Vec<Value> = texts.iter().map(|t| json!(embed(t))).collect();
            Ok(http::ok_json(if matches!(inputs, Value::String(_)) {
                vectors[0].clone()
            } else {
                Value::Array(vectors)
            }))
        }
        "text-to-image" => {
            let png = png_for(texts.first().map(String::as_str).unwrap_or(""));
            Ok(Response::builder().header(header::CONTENT_TYPE, "image/png").body(Body::from(png)).expect("valid"))
        }
        "text-classification" => {
            // One list per input, a single string included (as the Hub's hf-inference answers, and
            // as @huggingface/inference reads it: `response[0]`).
            let scores: Vec<Value> = texts.iter().map(|t| json!(classify(t))).collect();
            Ok(http::ok_json(Value::Array(scores)))
        }
        other => Err(HubError::bad_request(format!("Model {model} serves {other}, not this route"))),
    }
}

/// The built-in "speech recogniser": the audio's bytes read as UTF-8 text, trimmed (tests send
/// text as audio and get it back), or a description of binary audio.
fn transcribe(audio: &[u8]) -> String {
    match std::str::from_utf8(audio) {
        Ok(text) => text.trim().to_string(),
        Err(_) => format!("{} bytes of audio", audio.len()),
    }
}

/// The built-in image classifier: the image's format from its magic bytes.
fn classify_image(image: &[u8]) -> Value {
    let label = if image.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png image"
    } else if image.starts_with(&[0xff, 0xd8, 0xff]) {
        "jpeg image"
    } else if image.starts_with(b"GIF8") {
        "gif image"
    } else {
        "unknown"
    };
    json!([{ "label": label, "score": 0.9 }, { "label": "other", "score": 0.1 }])
}

/// An 8-dimensional, L2-normalised embedding derived from the text's SHA-256.
fn embed(text: &str) -> Vec<f64> {
    use sha2::Digest;
    let d = sha2::Sha256::digest(text.as_bytes());
    let v: Vec<f64> =
        d.chunks(4).map(|c| f64::from(i32::from_le_bytes(c.try_into().expect("4"))) / f64::from(i32::MAX)).collect();
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(f64::MIN_POSITIVE);
    v.into_iter().map(|x| x / norm).collect()
}

/// POSITIVE when the text has more of "good great love like" than "bad awful hate", else NEGATIVE.
fn classify(text: &str) -> Vec<Value> {
    let lower = text.to_lowercase();
    let count = |words: &[&str]| words.iter().map(|w| lower.matches(w).count()).sum::<usize>() as f64;
    let (pos, neg) = (count(&["good", "great", "love", "like"]), count(&["bad", "awful", "hate"]));
    let p = (pos + 1.0) / (pos + neg + 2.0);
    let mut out = vec![json!({ "label": "POSITIVE", "score": p }), json!({ "label": "NEGATIVE", "score": 1.0 - p })];
    if p < 0.5 {
        out.reverse();
    }
    out
}

/// A small valid PNG (16×16 RGB) whose colours come from the prompt (stored deflate blocks).
pub fn png_for(prompt: &str) -> Vec<u8> {
    use sha2::Digest;
    let seed = sha2::Sha256::digest(prompt.as_bytes());
    let (w, h) = (16u32, 16u32);
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            let i = ((x + y) as usize) % 30;
            raw.extend_from_slice(&[seed[i], seed[i + 1], seed[i + 2]]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    for (i, block) in raw.chunks(65_535).enumerate() {
        let last = (i + 1) * 65_535 >= raw.len();
        zlib.push(u8::from(last));
        zlib.extend_from_slice(&(block.len() as u16).to_le_bytes());
        zlib.extend_from_slice(&(!(block.len() as u16)).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    for (kind, data) in [(&b"IHDR"[..], ihdr), (&b"IDAT"[..], zlib), (&b"IEND"[..], Vec::new())] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(&data);
        png.extend_from_slice(&crc_input);
        png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The CRC-32 check value from the catalogue of parametrised CRCs.
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn answers_reverse_the_words() {
        assert_eq!(answer_tokens("a b c").concat(), "You said: c b a");
    }

    #[test]
    fn repo_file_urls_are_not_router_routes() {
        assert!(handles(&["v1", "chat", "completions"]));
        assert!(handles(&["providers", "together", "v1", "completions"]));
        assert!(!handles(&["demo", "m", "resolve", "main", "v1", "chat", "completions"]));
        assert!(!handles(&["demo", "m", "blob", "main", "v1", "completions"]));
    }

    #[test]
    fn prompts_set_the_delay() {
        assert_eq!(prompt_delay_ms("hi [[delay:40]] there"), Some(40));
        assert_eq!(prompt_delay_ms("[[delay:999999]]"), Some(MAX_PROMPT_DELAY_MS));
        assert_eq!(prompt_delay_ms("[[delay:x]]"), None);
        assert_eq!(prompt_delay_ms("plain"), None);
    }

    #[test]
    fn tasks_come_from_model_names() {
        assert_eq!(builtin_task("demo/whisper-tiny"), "automatic-speech-recognition");
        assert_eq!(builtin_task("demo/image-classifier"), "image-classification");
        assert_eq!(builtin_task("demo/sentiment"), "text-classification");
        assert_eq!(builtin_task("demo/gpt2"), "text-generation");
        assert_eq!(builtin_task("demo/echo"), "conversational");
        assert_eq!(classify_image(&png_for("x"))[0]["label"], "png image");
    }
}
