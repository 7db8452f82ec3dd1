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

/// Feeds `files` to the JS planner and to hubwasm-core's, `piece` bytes per update (taking xorbs
/// after each), and checks that the JS xorbs are the core's, byte for byte, and hold the files.
fn check_planner_against_core(files: &[Vec<u8>], piece: usize) -> Vec<Uint8Array> {
    let mut reference = UploadPlanner::new(BoundaryRule::Current);
    let mut planner = create_xet_upload_planner();
    let mut taken = Vec::new();
    let mut take_all = |planner: &mut hubwasm::XetUploadPlanner| {
        while let Some(x) = Some(planner.take_xorb().unwrap()).filter(|x| !x.is_undefined()) {
            taken.push(x);
        }
    };
    for data in files {
        for part in data.chunks(piece) {
            reference.update(part).unwrap();
            planner.update(bytes(part)).unwrap();
            take_all(&mut planner);
        }
        reference.finish_file().unwrap();
        planner.finish_file().unwrap();
    }
    reference.finish().unwrap();
    planner.finish().unwrap();
    take_all(&mut planner);
    let mut decoded = Vec::new();
    let mut bodies = Vec::new();
    for (i, x) in taken.iter().enumerate() {
        let expected = reference.take_xorb().expect("as many xorbs as the core planner");
        let hash = XetHash::from_hex(&field(x, "hash").as_string().unwrap()).unwrap();
        let body = Uint8Array::from(field(x, "bytes"));
        assert_eq!(hash, expected.hash);
        assert_eq!(body.to_vec(), expected.bytes, "xorb {i}: the bytes the core planner wrote");
        decoded.extend(xorb::decode_and_verify(&body.to_vec(), &hash).unwrap().concat());
        bodies.push(body);
    }
    assert!(reference.take_xorb().is_none());
    assert_eq!(decoded, files.concat(), "random data: every chunk stored once, in order");
    bodies
}

#[wasm_bindgen_test]
fn planner_xorbs_gathered_outside_wasm_memory_are_the_core_planners_bytes() {
    // 70 MB fed 1 MB at a time: the first xorb closes inside an update (the next one's bytes wait
    // in the planner until it is taken) and its buffer grows to a whole xorb's. Then 6 MB, which
    // joins the second xorb and makes it outgrow its first buffer.
    let bodies = check_planner_against_core(&[splitmix64(11, 70_000_000), splitmix64(12, 6_000_000)], 1_000_003);
    assert_eq!(bodies.len(), 2, "76 MB: two 64 MiB xorbs at most");
    // The second xorb (~9 MB) ended in a buffer grown for a whole xorb: it comes out snug.
    let second = &bodies[1];
    assert!(second.buffer().byte_length() <= second.length() * 4 / 3, "a small xorb does not hold 64 MiB");
}

#[wasm_bindgen_test]
fn planner_xorbs_of_one_large_update_are_the_core_planners_bytes() {
    // 140 MB in one update leaves two xorbs waiting: none of the open xorb's bytes may move before
    // they are taken.
    let bodies = check_planner_against_core(&[splitmix64(13, 140_000_000)], 140_000_000);
    assert_eq!(bodies.len(), 3);
}
