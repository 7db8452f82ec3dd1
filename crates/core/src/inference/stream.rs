//! What a provider's answers mean (hub-api.md §10.2): the events of a streamed answer and the
//! shape of a chat completion.
//!
//! A stream is a sequence of `data:` events: a JSON chunk each, `[DONE]` at the end, or a JSON
//! object with an `error` field — a string (TGI style, with an optional `error_type`) or an object
//! with `message` (OpenAI style) — which ends the stream with an error.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::Deserialize;
use serde_json::Value;

/// One `data:` event of a stream, understood.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamItem {
    /// `[DONE]`: the stream is over.
    Done,
    /// A chunk, as the JSON the provider sent.
    Chunk(Value),
}

/// Why a stream (or an answer) cannot be delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputError {
    /// The provider reported an error inside the stream.
    InStream { message: String, error_type: Option<String> },
    /// The answer is not of the shape the task returns.
    Malformed(String),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::InStream { message, error_type: Some(kind) } => {
                write!(f, "the provider reported a {kind} error in the stream: {message}")
            }
            OutputError::InStream { message, error_type: None } => {
                write!(f, "the provider reported an error in the stream: {message}")
            }
            OutputError::Malformed(why) => write!(f, "the provider's answer is malformed: {why}"),
        }
    }
}

impl core::error::Error for OutputError {}

/// What a stream's chunks must look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkShape {
    /// OpenAI chat chunks: `choices` is an array of `{delta}` (a usage-only chunk has none).
    Chat,
    /// OpenAI completion chunks (`choices[].text`) or TGI chunks (`token.text`).
    TextGeneration,
    /// Any JSON (`streamingRequest`).
    Any,
}

#[derive(Deserialize)]
struct ChatChunk {
    choices: Vec<ChatChunkChoice>,
}

#[derive(Deserialize)]
struct ChatChunkChoice {
    delta: ChatDelta,
}

#[derive(Deserialize)]
struct ChatDelta {
    #[serde(default)]
    content: Option<String>,
}

/// Reads one event's data: `[DONE]`, a chunk of `shape`, or the in-stream error it reports.
pub fn read_stream_data(data: &str, shape: ChunkShape) -> Result<StreamItem, OutputError> {
    if data.trim() == "[DONE]" {
        return Ok(StreamItem::Done);
    }
    let value: Value = serde_json::from_str(data)
        .map_err(|e| OutputError::Malformed(format!("a stream event is not JSON ({e}): {}", preview(data))))?;
    if let Some(error) = error_of(&value) {
        return Err(error);
    }
    let fits = match shape {
        ChunkShape::Any => true,
        ChunkShape::Chat => ChatChunk::deserialize(&value).is_ok(),
        ChunkShape::TextGeneration => {
            value.pointer("/token/text").is_some_and(Value::is_string)
                || value
                    .get("choices")
                    .and_then(Value::as_array)
                    .is_some_and(|c| c.iter().all(|choice| choice.get("text").is_some_and(Value::is_string)))
        }
    };
    if !fits {
        return Err(OutputError::Malformed(format!("unexpected stream chunk: {}", preview(data))));
    }
    Ok(StreamItem::Chunk(value))
}

/// The in-stream (or in-answer) error an object reports, if any.
pub fn error_of(value: &Value) -> Option<OutputError> {
    let error = value.as_object()?.get("error")?;
    let (message, kind) = match error {
        Value::Null => return None,
        Value::String(message) => (message.clone(), value.get("error_type").and_then(Value::as_str)),
        Value::Object(o) => (
            o.get("message").and_then(Value::as_str).map_or_else(|| error.to_string(), String::from),
            o.get("type").and_then(Value::as_str),
        ),
        other => (other.to_string(), None),
    };
    Some(OutputError::InStream { message, error_type: kind.map(String::from) })
}

/// The text a chat chunk adds (`choices[0].delta.content`), empty when none.
pub fn chat_delta_text(chunk: &Value) -> String {
    ChatChunk::deserialize(chunk)
        .ok()
        .and_then(|c| c.choices.into_iter().next())
        .and_then(|c| c.delta.content)
        .unwrap_or_default()
}

/// Checks a non-streamed chat completion as `@huggingface/inference` does: `choices` an array,
/// `created` a number, `id` and `model` strings, `system_fingerprint` a string or null or absent,
/// `usage` an object when present.
pub fn check_chat_completion(value: &Value) -> Result<(), OutputError> {
    if let Some(error) = error_of(value) {
        return Err(error);
    }
    let bad = |why: &str| Err(OutputError::Malformed(format!("a chat completion {why}")));
    let Some(o) = value.as_object() else { return bad("is not a JSON object") };
    if !o.get("choices").is_some_and(Value::is_array) {
        return bad("has no `choices` array");
    }
    if !o.get("created").is_some_and(Value::is_number) {
        return bad("has no numeric `created`");
    }
    if !o.get("id").is_some_and(Value::is_string) || !o.get("model").is_some_and(Value::is_string) {
        return bad("lacks a string `id` or `model`");
    }
    if !o.get("system_fingerprint").is_none_or(|v| v.is_string() || v.is_null()) {
        return bad("has a `system_fingerprint` that is not a string");
    }
    if !o.get("usage").is_none_or(|v| v.is_object() || v.is_null()) {
        return bad("has a `usage` that is not an object");
    }
    Ok(())
}

/// The start of a text for messages.
fn preview(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => String::from(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Chunks in the shapes of hub-api.md §10.2.
    #[test]
    fn chat_chunks_done_and_errors() {
        let chunk = r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}"#;
        let Ok(StreamItem::Chunk(value)) = read_stream_data(chunk, ChunkShape::Chat) else { panic!("a chunk") };
        assert_eq!(chat_delta_text(&value), "Hi");
        let usage = r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"total_tokens":3}}"#;
        assert!(matches!(read_stream_data(usage, ChunkShape::Chat), Ok(StreamItem::Chunk(_))));
        assert_eq!(read_stream_data("[DONE]", ChunkShape::Chat), Ok(StreamItem::Done));
        assert_eq!(
            read_stream_data(r#"{"error":"Input validation error","error_type":"validation"}"#, ChunkShape::Chat),
            Err(OutputError::InStream {
                message: "Input validation error".into(),
                error_type: Some("validation".into())
            })
        );
        let openai = read_stream_data(r#"{"error":{"message":"overloaded","type":"server_error"}}"#, ChunkShape::Any);
        assert_eq!(
            openai.unwrap_err().to_string(),
            "the provider reported a server_error error in the stream: overloaded",
            "never `[object Object]`"
        );
        assert!(matches!(read_stream_data("{not json", ChunkShape::Chat), Err(OutputError::Malformed(_))));
        assert!(matches!(read_stream_data(r#"{"choices":7}"#, ChunkShape::Chat), Err(OutputError::Malformed(_))));
        assert!(matches!(read_stream_data("[1]", ChunkShape::Any), Ok(StreamItem::Chunk(_))));
    }

    #[test]
    fn text_generation_chunks() {
        let openai = r#"{"choices":[{"index":0,"text":" world","finish_reason":null}]}"#;
        assert!(read_stream_data(openai, ChunkShape::TextGeneration).is_ok());
        let tgi = r#"{"index":1,"token":{"id":5,"text":" hi","logprob":-0.1,"special":false},"generated_text":null}"#;
        assert!(read_stream_data(tgi, ChunkShape::TextGeneration).is_ok());
        assert!(read_stream_data(r#"{"choices":[{"delta":{}}]}"#, ChunkShape::TextGeneration).is_err());
    }

    #[test]
    fn chat_completions_are_checked() {
        let good = json!({"id":"c","object":"chat.completion","created":1,"model":"m","system_fingerprint":null,
            "choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],"usage":{}});
        assert_eq!(check_chat_completion(&good), Ok(()));
        for bad in [
            json!([]),
            json!({"choices":[],"created":"1","id":"c","model":"m"}),
            json!({"created":1,"id":"c","model":"m"}),
        ] {
            assert!(matches!(check_chat_completion(&bad), Err(OutputError::Malformed(_))), "{bad}");
        }
        assert!(matches!(check_chat_completion(&json!({"error":"boom"})), Err(OutputError::InStream { .. })));
    }
}
