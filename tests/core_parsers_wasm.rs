//! hubwasm-core's parsers run as WebAssembly (Node and headless Chromium through wasm-pack): the
//! fuzz targets' bodies (`hubwasm_core::fuzzing`) over the committed seeds of fuzz/seeds and a
//! few thousand deterministic SplitMix64 mutations of each, so the wasm32 build is shown to keep
//! the same promises (no panic, typed errors, round trips) as the native one.
#![cfg(target_arch = "wasm32")]

use hubwasm_core::fuzzing::{
    commit_body, error_body, gitattributes, mutate, next_link, range_header, repo_path, retry_after, sse,
};
use hubwasm_core::xet::test_data::SplitMix64;
use wasm_bindgen_test::wasm_bindgen_test;

/// Mutations per seed: enough to reach the parsers' error paths, short enough for a browser.
const MUTATIONS: usize = 2000;

macro_rules! seeds {
    ($target:literal: $($file:literal),+) => {
        &[$(include_bytes!(concat!("../fuzz/seeds/", $target, "/", $file)) as &[u8]),+]
    };
}

fn run(body: fn(&[u8]), seeds: &[&[u8]], seed: u64) {
    let mut rng = SplitMix64::new(seed);
    for input in seeds {
        body(input);
        for _ in 0..MUTATIONS {
            body(&mutate(input, &mut rng));
        }
    }
}

#[wasm_bindgen_test]
fn range_header_parser_in_wasm() {
    let seeds = seeds!("range_header": "first.bin", "first_last.bin", "adjacent.bin", "many.bin", "content_range.bin");
    run(range_header, seeds, 1);
}

#[wasm_bindgen_test]
fn commit_body_parser_in_wasm() {
    run(commit_body, seeds!("commit_body": "python.ndjson", "js.ndjson"), 2);
}

#[wasm_bindgen_test]
fn repo_ids_paths_and_pointers_in_wasm() {
    let seeds = seeds!("repo_path": "dataset_id.txt", "space_id.txt", "pr_ref.txt", "path.txt", "lfs_pointer.txt");
    run(repo_path, seeds, 3);
}

#[wasm_bindgen_test]
fn gitattributes_matching_in_wasm() {
    run(gitattributes, seeds!("gitattributes": "hub_default.txt", "globstar.txt", "pathological.txt"), 4);
}

#[wasm_bindgen_test]
fn retry_after_and_http_dates_in_wasm() {
    let seeds = seeds!("retry_after": "imf_fixdate.bin", "rfc850.bin", "asctime.bin", "delay_seconds.bin");
    run(retry_after, seeds, 6);
}

#[wasm_bindgen_test]
fn next_link_in_wasm() {
    run(next_link, seeds!("next_link": "hub.txt", "several.txt", "quoted.txt"), 7);
}

#[wasm_bindgen_test]
fn error_bodies_in_wasm() {
    let seeds = seeds!(
        "error_body": "error_string.json",
        "error_list.json",
        "oauth.json",
        "errors.json",
        "message.json",
        "plain.txt"
    );
    run(error_body, seeds, 8);
}

#[wasm_bindgen_test]
fn sse_parser_in_wasm() {
    run(sse, seeds!("sse": "chat.txt", "mixed.txt", "whatwg.txt"), 9);
}

/// Plain pseudo-random bytes too, not only mutations: the parsers' first checks.
#[wasm_bindgen_test]
fn random_bytes_in_wasm() {
    let mut rng = SplitMix64::new(5);
    for _ in 0..2000 {
        let len = (rng.next() % 96) as usize;
        let input: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        range_header(&input);
        commit_body(&input);
        repo_path(&input);
        gitattributes(&input);
        retry_after(&input);
        next_link(&input);
        error_body(&input);
        sse(&input);
    }
}
