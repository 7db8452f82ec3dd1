//! localhub as the judge of the inference clients (issue #13): it sees a client go away in the
//! middle of a stream, paces tokens, injects 503s, tells Hub tokens from provider keys, and serves
//! the non-chat tasks.

#[allow(unused_imports)]
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const KEY: &str = "provider-key-test";

fn admin_log(url: &str) -> Value {
    let r = get(&format!("{url}/admin/inference"), Some(ADMIN), &[]);
    assert_eq!(r.status, 200);
    r.json()
}

fn call_for(url: &str, prompt: &str) -> Option<Value> {
    admin_log(url)["calls"].as_array()?.iter().rev().find(|c| c["prompt"] == prompt).cloned()
}

fn chat_body(prompt: &str, stream: bool) -> Value {
    json!({ "model": "demo/echo", "stream": stream, "messages": [{ "role": "user", "content": prompt }] })
}

/// Sends a streamed chat over a raw socket, reads until the first event, then closes the socket.
fn read_first_event_then_close(url: &str, body: &Value) -> String {
    let addr = url.trim_start_matches("http://");
    let mut socket = TcpStream::connect(addr).unwrap();
    let body = body.to_string();
    write!(
        socket,
        "POST /v1/chat/completions HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {WRITE}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let has_event = |seen: &[u8]| {
        let text = String::from_utf8_lossy(seen);
        text.find("data: ").is_some_and(|at| text[at..].contains("\n\n"))
    };
    while !has_event(&seen) {
        let n = socket.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed first: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    drop(socket);
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn a_client_that_goes_away_is_logged_as_cancelled() {
    let s = start_with_admin(fresh_dir("inference-cancel"));
    let prompt = "[[delay:50]] one two three four five six seven eight nine ten";
    let head = read_first_event_then_close(&s.url, &chat_body(prompt, true));
    assert!(head.contains("text/event-stream"), "{head}");
    let deadline = Instant::now() + Duration::from_secs(5);
    let call = loop {
        let call = call_for(&s.url, prompt).expect("the call is logged");
        if call["outcome"] != "streaming" || Instant::now() > deadline {
            break call;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(call["outcome"], "cancelled", "{call}");
    let (sent, total) = (call["tokensSent"].as_u64().unwrap(), call["tokensTotal"].as_u64().unwrap());
    assert!(sent < total, "stopped early: {sent} of {total}");
    assert_eq!(admin_log(&s.url)["streams"]["cancelled"], 1);

    // A stream read to its end is completed, not cancelled.
    let whole = post_json(&format!("{}/v1/chat/completions", s.url), Some(WRITE), &chat_body("a b", true));
    let text = String::from_utf8_lossy(&whole.body).into_owned();
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    let call = call_for(&s.url, "a b").unwrap();
    assert_eq!((call["outcome"].as_str(), call["tokensSent"].as_u64()), (Some("completed"), Some(4)));
    s.stop();
}

#[test]
fn the_prompt_paces_the_tokens() {
    let s = start_with_admin(fresh_dir("inference-delay"));
    let started = Instant::now();
    let r = post_json(&format!("{}/v1/chat/completions", s.url), Some(WRITE), &chat_body("[[delay:30]] a b c", true));
    assert_eq!(r.status, 200);
    // 6 answer tokens (the marker is a word too), the finish chunk and [DONE]: seven waits of the
    // asked 30 ms after the first event (a lower bound relative to the asked delay, not a speed).
    let events = String::from_utf8_lossy(&r.body).matches("data: ").count();
    assert_eq!(events, 8);
    assert!(started.elapsed() >= Duration::from_millis(7 * 30), "{:?}", started.elapsed());
    s.stop();
}

#[test]
fn hub_tokens_go_to_the_router_and_provider_keys_to_providers() {
    let s = start_with(fresh_dir("inference-keys"), |c| {
        c.provider_keys.push(KEY.into());
        c.admin_token = Some(ADMIN.into());
    });
    let chat = |path: &str, token: &str| post_json(&format!("{}{path}", s.url), Some(token), &chat_body("x", false));
    assert_eq!(chat("/v1/chat/completions", WRITE).status, 200);
    assert_eq!(chat("/v1/chat/completions", KEY).status, 401, "auto needs a Hub token");
    assert_eq!(chat("/providers/together/v1/chat/completions", KEY).status, 200);
    assert_eq!(chat("/providers/together/v1/chat/completions", WRITE).status, 401, "a provider refuses Hub tokens");
    assert_eq!(chat("/together/v1/chat/completions", WRITE).status, 200);
    let call = call_for(&s.url, "x").unwrap();
    assert_eq!(
        (call["credential"].as_str(), call["path"].as_str()),
        (Some("hf-token"), Some("/together/v1/chat/completions"))
    );
    let log = admin_log(&s.url);
    let keyed: Vec<&Value> =
        log["calls"].as_array().unwrap().iter().filter(|c| c["credential"] == "provider-key").collect();
    assert_eq!(keyed.len(), 1);
    assert_eq!(keyed[0]["path"], "/providers/together/v1/chat/completions");
    s.stop();
}

#[test]
fn injected_503s_are_counted_by_the_fault_list() {
    let s = start_with_admin(fresh_dir("inference-503"));
    let fault = json!({ "route": "/v1/chat/completions", "kind": "error", "status": 503, "count": 2 });
    assert_eq!(post_json(&format!("{}/admin/faults", s.url), Some(ADMIN), &fault).status, 200);
    let chat = || post_json(&format!("{}/v1/chat/completions", s.url), Some(WRITE), &chat_body("y", false)).status;
    assert_eq!([chat(), chat(), chat()], [503, 503, 200]);
    s.stop();
}

#[test]
fn mapping_and_non_chat_tasks() {
    let s = start(fresh_dir("inference-tasks"));
    create_repo(&s.url, "echo", false);
    create_repo(&s.url, "sentiment", false);
    let mapping = |repo: &str| {
        get(&format!("{}/api/models/demo/{repo}?expand[]=inferenceProviderMapping", s.url), None, &[]).json()
            ["inferenceProviderMapping"]
            .clone()
    };
    let chat = mapping("echo");
    assert_eq!(chat["together"]["providerId"], "demo/echo--together", "providers know models by their own ids");
    assert_eq!(chat["hf-inference"]["providerId"], "demo/echo");
    let classifier = mapping("sentiment");
    assert_eq!(classifier.as_object().unwrap().keys().collect::<Vec<_>>(), ["hf-inference"]);
    assert_eq!(classifier["hf-inference"]["task"], "text-classification");

    let completion = post_json(
        &format!("{}/hf-inference/models/demo/gpt2/v1/completions", s.url),
        Some(WRITE),
        &json!({ "model": "demo/gpt2", "prompt": "the end", "max_tokens": 3 }),
    );
    assert_eq!(completion.status, 200);
    let v = completion.json();
    assert_eq!(
        (v["choices"][0]["text"].as_str(), v["choices"][0]["finish_reason"].as_str()),
        (Some("You said: end"), Some("length"))
    );
    let streamed = post_json(
        &format!("{}/hf-inference/models/demo/gpt2/v1/completions", s.url),
        Some(WRITE),
        &json!({ "model": "demo/gpt2", "prompt": "p q", "stream": true }),
    );
    let text = String::from_utf8_lossy(&streamed.body).into_owned();
    assert!(text.contains("\"text\":\" q\"") && text.ends_with("data: [DONE]\n\n"), "{text}");

    let asr = send(
        "POST",
        &format!("{}/hf-inference/models/demo/whisper-tiny", s.url),
        Some(WRITE),
        "audio/flac",
        b" hello audio \n",
    );
    assert_eq!(asr.json()["text"], "hello audio");
    let png = send(
        "POST",
        &format!("{}/hf-inference/models/demo/painter", s.url),
        Some(WRITE),
        "application/json",
        br#"{"inputs":"a cat"}"#,
    );
    assert_eq!(png.header("content-type"), Some("image/png"));
    let labels = send(
        "POST",
        &format!("{}/hf-inference/models/demo/image-classifier", s.url),
        Some(WRITE),
        "image/png",
        &png.body,
    );
    assert_eq!(labels.json()[0]["label"], "png image");
    s.stop();
}
