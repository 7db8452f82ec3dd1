//! The inference router (spec hub-api.md §10) with a deterministic built-in model.
//!
//! The built-in chat model answers `You said: ` followed by the words of the last user message in
//! reverse order, one token per word, honouring `max_tokens` (then `finish_reason: "length"`).
//! A message containing `[[stream-error]]` makes a stream fail after its first token with an
//! in-stream error event. Streams wait `token_delay_ms` between tokens.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, Response, StatusCode};
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

/// Whether a path belongs to the router: `…/chat/completions`, `/v1/models`, `/hf-inference/…`.
pub fn handles(segs: &[&str]) -> bool {
    segs.ends_with(&["chat", "completions"])
        || segs.starts_with(&["v1", "models"])
        || segs.first() == Some(&"hf-inference")
}

/// The `inferenceProviderMapping` object of a model: every provider, live, conversational.
pub fn provider_mapping(model: &str) -> Value {
    let mut map = serde_json::Map::new();
    for p in PROVIDERS {
        let task = builtin_task(model);
        map.insert(
            (*p).to_string(),
            json!({ "status": "live", "providerId": model, "task": task, "isModelAuthor": false }),
        );
    }
    Value::Object(map)
}

fn builtin_task(model: &str) -> &'static str {
    let m = model.to_ascii_lowercase();
    if m.contains("embed") {
        "feature-extraction"
    } else if m.contains("sentiment") || m.contains("classif") {
        "text-classification"
    } else if m.contains("diffusion") || m.contains("painter") || m.contains("image") {
        "text-to-image"
    } else {
        "conversational"
    }
}

/// Whether the caller may use the router: a localhub token, or a configured provider key.
pub fn authorized(app: &App, ctx: &Ctx) -> bool {
    let provider_key = ctx.caller.bearer.as_deref().is_some_and(|b| {
        app.provider_keys.iter().any(|k| crate::signing::constant_time_eq(k.as_bytes(), b.as_bytes()))
    });
    !ctx.caller.anonymous() || provider_key
}

pub async fn route(app: &App, ctx: &Ctx, segs: &[&str]) -> HubResult {
    if !authorized(app, ctx) {
        return Err(HubError::unauthorized("The inference router needs a valid localhub token or provider key"));
    }
    if segs.ends_with(&["chat", "completions"]) {
        return chat(app, ctx).await;
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

async fn chat(app: &App, ctx: &Ctx) -> HubResult {
    let body = ctx.json()?;
    let model = body.get("model").and_then(Value::as_str).unwrap_or("localhub/echo-chat").to_string();
    if body.get("messages").and_then(Value::as_array).is_none_or(|m| m.is_empty()) {
        return Err(HubError::new(StatusCode::UNPROCESSABLE_ENTITY, None, "\"messages\" must be a non-empty array"));
    }
    let prompt = last_user_text(&body);
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
    let id = format!("chatcmpl-{}", crate::store::new_uid());
    let created = http::now_unix();
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);
    if !stream {
        return Ok(http::ok_json(json!({
            "id": id, "object": "chat.completion", "created": created, "model": model, "system_fingerprint": "localhub",
            "choices": [{ "index": 0, "message": { "role": "assistant", "content": tokens.concat() }, "finish_reason": finish, "logprobs": null }],
            "usage": usage,
        })));
    }
    let include_usage = body.pointer("/stream_options/include_usage").and_then(Value::as_bool).unwrap_or(false);
    let fail = prompt.contains("[[stream-error]]");
    let delay = app.token_delay_ms();
    let chunk = move |delta: Value, finish: Value| {
        json!({ "id": id, "object": "chat.completion.chunk", "created": created, "model": model, "system_fingerprint": "localhub",
                "choices": [{ "index": 0, "delta": delta, "finish_reason": finish, "logprobs": null }] })
    };
    let mut events: Vec<String> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let delta = if i == 0 { json!({ "role": "assistant", "content": t }) } else { json!({ "content": t }) };
        events.push(chunk(delta, Value::Null).to_string());
        if fail {
            events.push(json!({ "error": "Injected generation failure ([[stream-error]] in the prompt)", "error_type": "generation" }).to_string());
            break;
        }
    }
    if !fail {
        events.push(chunk(json!({}), json!(finish)).to_string());
        if include_usage {
            let mut last = chunk(json!({}), Value::Null);
            last["choices"] = json!([]);
            last["usage"] = usage;
            events.push(last.to_string());
        }
        events.push("[DONE]".to_string());
    }
    let stream = futures_util::stream::unfold((events.into_iter(), true), move |(mut it, first)| async move {
        let event = it.next()?;
        if !first && delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        Some((Ok::<Bytes, std::io::Error>(Bytes::from(format!("data: {event}\n\n"))), (it, false)))
    });
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(stream))
        .expect("valid"))
}

/// `hf-inference` task routes: `models/{id}` (text-classification or text-to-image by model) and
/// `models/{id}/pipeline/feature-extraction`.
fn hf_inference(ctx: &Ctx, rest: &[&str]) -> HubResult {
    let body = ctx.json()?;
    let inputs = body.get("inputs").cloned().unwrap_or(Value::Null);
    let texts: Vec<String> = match &inputs {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => return Err(HubError::bad_request("\"inputs\" must be a string or a list of strings")),
    };
    let (model, pipeline) = match rest {
        [ns, name, "pipeline", task] => (format!("{ns}/{name}"), Some(*task)),
        [ns, name] => (format!("{ns}/{name}"), None),
        _ => return Err(HubError::not_found("Unknown model route")),
    };
    let task = pipeline.unwrap_or_else(|| builtin_task(&model));
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
        _ => {
            let scores: Vec<Value> = texts.iter().map(|t| json!(classify(t))).collect();
            Ok(http::ok_json(if matches!(inputs, Value::String(_)) { scores[0].clone() } else { Value::Array(scores) }))
        }
    }
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
}
