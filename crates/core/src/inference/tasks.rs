//! The answers of the non-streamed tasks, checked and normalised as `@huggingface/inference` 4.13
//! does for `hf-inference`, so callers get the same values from either client.

use alloc::format;

use serde_json::{json, Value};

use super::stream::{check_chat_completion, error_of, OutputError};

fn malformed(task: &str, expected: &str) -> OutputError {
    OutputError::Malformed(format!("a {task} answer should be {expected}"))
}

fn is_label_scores(value: &Value) -> bool {
    value.as_array().is_some_and(|items| {
        items
            .iter()
            .all(|x| x.get("label").is_some_and(Value::is_string) && x.get("score").is_some_and(Value::is_number))
    })
}

/// Numbers, or arrays of them nested at most `depth` levels more.
fn is_number_array(value: &Value, depth: u32) -> bool {
    let Some(items) = value.as_array() else { return false };
    if items.iter().all(Value::is_array) {
        depth > 0 && items.iter().all(|x| is_number_array(x, depth - 1))
    } else {
        items.iter().all(Value::is_number)
    }
}

/// The JSON answer of `task` as the caller receives it.
pub fn task_output(task: &str, body: &[u8]) -> Result<Value, OutputError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| OutputError::Malformed(format!("the {task} answer is not JSON: {e}")))?;
    if let Some(error) = error_of(&value) {
        return Err(error);
    }
    match task {
        "conversational" => check_chat_completion(&value).map(|()| value),
        "text-generation" => {
            let text = value
                .pointer("/choices/0/text")
                .or_else(|| value.pointer("/0/generated_text"))
                .or_else(|| value.get("generated_text"))
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(task, "{choices: [{text}]} or [{generated_text}]"))?;
            Ok(json!({ "generated_text": text }))
        }
        "feature-extraction" | "sentence-similarity" if is_number_array(&value, 3) => Ok(value),
        "feature-extraction" | "sentence-similarity" => Err(malformed(task, "an array of numbers (nested)")),
        "text-classification" => {
            // hf-inference answers one list per input; a single input's list is the answer.
            let first = value.get(0).filter(|v| v.is_array()).cloned();
            match first {
                Some(list) if is_label_scores(&list) => Ok(list),
                None if is_label_scores(&value) => Ok(value),
                _ => Err(malformed(task, "an array of {label, score}")),
            }
        }
        "image-classification" if is_label_scores(&value) => Ok(value),
        "image-classification" => Err(malformed(task, "an array of {label, score}")),
        "automatic-speech-recognition" if value.get("text").is_some_and(Value::is_string) => Ok(value),
        "automatic-speech-recognition" => Err(malformed(task, "{text: string}")),
        _ => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_and_normalised() {
        let ok = |task, body: &str| task_output(task, body.as_bytes()).unwrap();
        assert_eq!(ok("text-generation", r#"{"choices":[{"text":"hi"}]}"#), json!({ "generated_text": "hi" }));
        assert_eq!(ok("text-generation", r#"[{"generated_text":"tgi"}]"#), json!({ "generated_text": "tgi" }));
        assert_eq!(ok("feature-extraction", "[0.5, 1]"), json!([0.5, 1]));
        assert_eq!(ok("feature-extraction", "[[0.5], [1]]"), json!([[0.5], [1]]));
        let scores = r#"[[{"label":"POSITIVE","score":0.9},{"label":"NEGATIVE","score":0.1}]]"#;
        assert_eq!(ok("text-classification", scores)[0]["label"], "POSITIVE");
        assert_eq!(ok("image-classification", r#"[{"label":"cat","score":1}]"#)[0]["label"], "cat");
        assert_eq!(ok("automatic-speech-recognition", r#"{"text":"hello"}"#)["text"], "hello");
        for (task, body) in [
            ("text-generation", r#"{"choices":[]}"#),
            ("feature-extraction", r#"["a"]"#),
            ("feature-extraction", "[[[[[1]]]]]"),
            ("text-classification", r#"[{"label":1}]"#),
            ("automatic-speech-recognition", "{}"),
            ("conversational", "{}"),
            ("image-classification", "not json"),
        ] {
            assert!(matches!(task_output(task, body.as_bytes()), Err(OutputError::Malformed(_))), "{task} {body}");
        }
        assert!(matches!(
            task_output("text-classification", br#"{"error":"Model is loading"}"#),
            Err(OutputError::InStream { .. })
        ));
    }
}
