//! wasm-bindgen tests of the JS-facing API, run by `wasm-pack test --node` and, with
//! WASM_BINDGEN_USE_BROWSER=1, in headless Chromium. Expected digests are FIPS 180-2 vectors;
//! the JS planner's xorbs are checked against hubwasm-core's planner, whose own tests check it.
#![cfg(target_arch = "wasm32")]

use hubwasm::{create_sha256, create_xet_upload_planner, sha256};
use hubwasm_core::xet::test_data::splitmix64_bytes as splitmix64;
use hubwasm_core::xet::{xorb, BoundaryRule, UploadPlanner, XetHash};
use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const MILLION_A: &str = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

fn bytes(data: &[u8]) -> JsValue {
    Uint8Array::from(data).into()
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap()
}

#[wasm_bindgen_test]
async fn sha256_of_uint8array_matches_fips_vectors() {
    assert_eq!(sha256(bytes(b"abc")).await.unwrap(), ABC);
    assert_eq!(sha256(bytes(&vec![b'a'; 1_000_000])).await.unwrap(), MILLION_A);
}

#[wasm_bindgen_test]
async fn sha256_of_blob() {
    let parts = Array::of2(&bytes(b"ab"), &bytes(b"c"));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap();
    assert_eq!(sha256(blob.into()).await.unwrap(), ABC);
}

#[wasm_bindgen_test]
fn streaming_hasher_is_split_invariant() {
    let data = vec![b'a'; 1_000_000];
    let mut hasher = create_sha256();
    for piece in data.chunks(77_777) {
        hasher.update(bytes(piece)).unwrap();
    }
    assert_eq!(hasher.digest(), MILLION_A);
    assert_eq!(hasher.bytes_hashed(), 1_000_000.0);
}

#[wasm_bindgen_test]
async fn wrong_input_is_a_typed_error() {
    let error = sha256(JsValue::from_f64(42.0)).await.unwrap_err();
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(field(&error, "name"), "InvalidInputError");
    assert_eq!(field(&error, "code"), "INVALID_INPUT");
    let message = field(&error, "message").as_string().unwrap();
    assert!(message.contains("got number"), "{message}");
}

/// Runs a JS function body: the hostile values below can only be built in JS.
fn js(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&JsValue::NULL).unwrap()
}

#[wasm_bindgen_test]
fn update_refuses_a_detached_buffer_and_the_hasher_stays_usable() {
    let mut hasher = create_sha256();
    hasher.update(bytes(b"ab")).unwrap();
    let detached = js("const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] }); return b;");
    let error = hasher.update(detached).unwrap_err();
    assert_eq!(field(&error, "name"), "InvalidInputError");
    assert!(field(&error, "message").as_string().unwrap().contains("detached"));
    hasher.update(bytes(b"c")).unwrap();
    assert_eq!(hasher.digest(), ABC);
}

#[wasm_bindgen_test]
fn update_reads_the_real_bytes_of_a_view_whose_length_lies() {
    let view =
        js("const v = new Uint8Array([97, 98, 99]); Object.defineProperty(v, 'length', { value: 1e9 }); return v;");
    let mut hasher = create_sha256();
    hasher.update(view).unwrap();
    assert_eq!(hasher.digest(), ABC);
}

#[wasm_bindgen_test]
async fn a_proxy_of_bytes_and_a_locked_stream_are_typed_errors() {
    let proxy = js("return new Proxy(new Uint8Array(3), {});");
    assert_eq!(field(&create_sha256().update(proxy).unwrap_err(), "name"), "InvalidInputError");
    let locked = js("const s = new ReadableStream(); s.getReader(); return s;");
    let error = sha256(locked).await.unwrap_err();
    assert_eq!(field(&error, "name"), "InvalidInputError");
    assert_eq!(sha256(bytes(b"abc")).await.unwrap(), ABC);
}

#[wasm_bindgen_test]
fn planner_xorbs_gathered_outside_wasm_memory_are_the_core_planners_bytes() {
    // 70 MB: two xorbs, the first grown from its first buffer to a whole xorb's; then a small file
    // in the same session, whose xorb is gathered only when it is taken.
    let files = [splitmix64(11, 70_000_000), splitmix64(12, 300_000)];
    let mut reference = UploadPlanner::new(BoundaryRule::Current);
    let mut planner = create_xet_upload_planner();
    let mut taken = Vec::new();
    for data in &files {
        for piece in data.chunks(1_000_003) {
            reference.update(piece).unwrap();
            planner.update(bytes(piece)).unwrap();
            while let Some(x) = Some(planner.take_xorb().unwrap()).filter(|x| !x.is_undefined()) {
                taken.push(x);
            }
        }
        reference.finish_file().unwrap();
        planner.finish_file().unwrap();
    }
    reference.finish().unwrap();
    planner.finish().unwrap();
    while let Some(x) = Some(planner.take_xorb().unwrap()).filter(|x| !x.is_undefined()) {
        taken.push(x);
    }
    let mut decoded = Vec::new();
    let mut count = 0;
    for x in &taken {
        let expected = reference.take_xorb().expect("as many xorbs as the core planner");
        let hash = XetHash::from_hex(&field(x, "hash").as_string().unwrap()).unwrap();
        let body = Uint8Array::from(field(x, "bytes")).to_vec();
        assert_eq!(hash, expected.hash);
        assert_eq!(body, expected.bytes, "xorb {count}: the bytes the core planner wrote");
        decoded.extend(xorb::decode_and_verify(&body, &hash).unwrap().concat());
        count += 1;
    }
    assert!(reference.take_xorb().is_none());
    assert_eq!(count, 2, "70 MB and 0.3 MB: two 64 MiB xorbs at most");
    assert_eq!(decoded, files.concat(), "random data: every chunk stored once, in order");
}
