//! The pipeline over real xorbs built by core's XorbBuilder from the spec's SplitMix64 data; the
//! expected bytes are slices of that data, never the pipeline's own output.

use super::*;
use crate::xet::test_data::splitmix64_bytes;
use crate::xet::{chunk_hash, hash_file, BoundaryRule, Xorb, XorbBuilder, MAX_CHUNK_SIZE};
use alloc::vec;

/// A file chunked as the spec does, its chunks stored in three xorbs.
struct Fixture {
    data: Vec<u8>,
    file: XetHash,
    xorbs: Vec<Xorb>,
    /// Per chunk of the file: (xorb, index in xorb, file start, file end).
    chunks: Vec<(usize, u32, u64, u64)>,
}

fn fixture() -> Fixture {
    let data = splitmix64_bytes(11, 1_500_000);
    let digest = hash_file(&data, BoundaryRule::Current);
    let n = digest.chunks.len();
    assert!(n >= 9, "enough chunks for three xorbs: {n}");
    let mut xorbs = Vec::new();
    let mut chunks = Vec::new();
    let mut builder = XorbBuilder::new();
    let mut pos = 0u64;
    let per_xorb = n.div_ceil(3);
    for (i, (_, len)) in digest.chunks.iter().enumerate() {
        let (s, e) = (pos as usize, (pos + len) as usize);
        builder.push(chunk_hash(&data[s..e]), &data[s..e]);
        chunks.push((xorbs.len(), (i % per_xorb) as u32, pos, pos + len));
        pos += len;
        if (i + 1) % per_xorb == 0 || i + 1 == n {
            xorbs.push(core::mem::take(&mut builder).finish());
        }
    }
    Fixture { data, file: digest.hash, xorbs, chunks }
}

/// What a CAS answers for bytes `[start, end]` of the file (xet-protocol.md §6.4): the terms of the
/// chunks that overlap it, grouped by xorb, and per xorb one entry (or `split` entries) of merged
/// ranges. `v1`: the V1 shape, one URL per term.
fn answer(f: &Fixture, start: u64, end: u64, v1: bool, url_tag: &str) -> Vec<u8> {
    let first = f.chunks.iter().position(|c| c.3 > start).unwrap();
    let last = f.chunks.iter().rposition(|c| c.2 <= end).unwrap();
    let mut terms: Vec<(usize, u32, u32, u64)> = Vec::new();
    for &(x, i, s, e) in &f.chunks[first..=last] {
        match terms.last_mut() {
            Some(t) if t.0 == x && t.2 == i => {
                t.2 = i + 1;
                t.3 += e - s;
            }
            _ => terms.push((x, i, i + 1, e - s)),
        }
    }
    let offset = start - f.chunks[first].2;
    let term_json: Vec<String> = terms
        .iter()
        .map(|&(x, s, e, len)| {
            format!(r#"{{"hash":"{}","unpacked_length":{len},"range":{{"start":{s},"end":{e}}}}}"#, f.xorbs[x].hash)
        })
        .collect();
    let bytes = |x: usize, s: u32, e: u32| (f.xorbs[x].offsets[s as usize], f.xorbs[x].offsets[e as usize] - 1);
    let mut xorb_json = Vec::new();
    for x in 0..f.xorbs.len() {
        let mine: Vec<_> = terms.iter().filter(|t| t.0 == x).collect();
        if mine.is_empty() {
            continue;
        }
        let url = format!("http://cas/x{x}?{url_tag}");
        let entries: Vec<String> = if v1 {
            mine.iter()
                .map(|t| {
                    let (bs, be) = bytes(x, t.1, t.2);
                    format!(
                        r#"{{"range":{{"start":{},"end":{}}},"url":"{url}","url_range":{{"start":{bs},"end":{be}}}}}"#,
                        t.1, t.2
                    )
                })
                .collect()
        } else {
            let ranges: Vec<String> = mine
                .iter()
                .map(|t| {
                    let (bs, be) = bytes(x, t.1, t.2);
                    format!(r#"{{"chunks":{{"start":{},"end":{}}},"bytes":{{"start":{bs},"end":{be}}}}}"#, t.1, t.2)
                })
                .collect();
            vec![format!(r#"{{"url":"{url}","ranges":[{}]}}"#, ranges.join(","))]
        };
        xorb_json.push(format!(r#""{}":[{}]"#, f.xorbs[x].hash, entries.join(",")));
    }
    let key = if v1 { "fetch_info" } else { "xorbs" };
    format!(
        r#"{{"offset_into_first_range":{offset},"terms":[{}],"{key}":{{{}}}}}"#,
        term_json.join(","),
        xorb_json.join(",")
    )
    .into_bytes()
}

fn parse(json: &[u8], v1: bool) -> Reconstruction {
    if v1 { Reconstruction::parse_v1(json) } else { Reconstruction::parse_v2(json) }.unwrap()
}

/// The storage: the bytes `GET url` with `Range: bytes=a-b` returns.
fn serve(f: &Fixture, job: &FetchJob) -> Vec<u8> {
    let x: usize = job.url["http://cas/x".len()..].split('?').next().unwrap().parse().unwrap();
    let (a, b) = job.range_header["bytes=".len()..].split_once('-').unwrap();
    let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
    f.xorbs[x].bytes[a..=b].to_vec()
}

#[derive(Clone, Copy)]
enum Order {
    /// Answer the oldest job first.
    Fifo,
    /// Answer the newest job first: out-of-order arrival.
    Lifo,
}

struct Run {
    bytes: Vec<u8>,
    max_in_flight: usize,
    max_buffered: u64,
}

/// Drives a download to its end, answering jobs in `order`; `drop_every` drops every n-th answer
/// (a cut connection) before answering it again. `tamper` edits an answer's bytes.
fn drive(
    f: &Fixture,
    mut dl: XetDownload,
    order: Order,
    drop_every: Option<usize>,
    tamper: &dyn Fn(&FetchJob, &mut Vec<u8>),
) -> Result<Run, XetDownloadError> {
    let mut out = Vec::new();
    let mut pending: Vec<FetchJob> = Vec::new();
    let (mut max_in_flight, mut max_buffered, mut answered) = (0, 0, 0usize);
    loop {
        while let Some(job) = dl.next_job() {
            pending.push(job);
        }
        max_in_flight = max_in_flight.max(dl.in_flight());
        max_buffered = max_buffered.max(dl.held_bytes());
        let Some(job) = (match order {
            Order::Fifo if !pending.is_empty() => Some(pending.remove(0)),
            Order::Lifo => pending.pop(),
            _ => None,
        }) else {
            break;
        };
        answered += 1;
        if drop_every.is_some_and(|n| answered % n == 0) {
            // Half a body arrives, then the connection drops.
            let mut body = serve(f, &job);
            body.truncate(body.len() / 2);
            assert!(matches!(dl.job_done(job.id, &body), Err(XetDownloadError::RangeLength { .. })));
            continue;
        }
        let mut body = serve(f, &job);
        tamper(&job, &mut body);
        dl.job_done(job.id, &body)?;
        while let Some(piece) = dl.next_piece()? {
            out.extend_from_slice(&piece);
        }
    }
    assert!(dl.is_complete(), "stalled with nothing pending");
    dl.finish()?;
    Ok(Run { bytes: out, max_in_flight, max_buffered })
}

fn download(f: &Fixture, range: Option<[u64; 2]>, options: XetOptions, order: Order) -> Run {
    let span = FileSpan::new(range, f.data.len() as u64).unwrap();
    let json = answer(f, span.start, span.end_exclusive() - 1, false, "sig");
    let dl = XetDownload::new(parse(&json, false), span, f.file, options).unwrap();
    drive(f, dl, order, None, &|_, _| {}).unwrap()
}

#[test]
fn whole_file_in_and_out_of_order_is_byte_identical_and_hash_checked() {
    let f = fixture();
    for order in [Order::Fifo, Order::Lifo] {
        let run = download(&f, None, XetOptions { max_in_flight: 3, max_buffered_bytes: u64::MAX }, order);
        assert_eq!(run.bytes, f.data);
        let whole: u64 = f.xorbs.iter().map(|x| x.bytes.len() as u64).sum();
        assert!(run.max_buffered < whole, "released chunks are dropped: {} of {whole}", run.max_buffered);
        assert_eq!(run.max_in_flight, 3);
    }
}

#[test]
fn ranges_at_the_start_middle_end_and_across_chunk_and_xorb_boundaries() {
    let f = fixture();
    let len = f.data.len() as u64;
    let chunk_end = f.chunks[2].3; // a chunk boundary inside the first xorb
    let xorb_end = f.chunks.iter().rfind(|c| c.0 == 0).unwrap().3; // the first xorb's end in the file
    let cases: &[[u64; 2]] = &[
        [0, 0],
        [0, 99],
        [0, chunk_end - 1],
        [chunk_end - 10, chunk_end + 10],
        [chunk_end, chunk_end],
        [xorb_end - 1, xorb_end],
        [xorb_end - 5000, xorb_end + 70_000],
        [len / 2, len / 2 + 300_000],
        [1, len - 2],
        [len - 100, len - 1],
        [len - 1, len + 1000],
    ];
    for &[s, e] in cases {
        for order in [Order::Fifo, Order::Lifo] {
            let run = download(&f, Some([s, e]), XetOptions::default(), order);
            let last = e.min(len - 1) as usize;
            assert_eq!(run.bytes, &f.data[s as usize..=last], "range [{s}, {e}]");
        }
    }
}

#[test]
fn v1_answers_give_the_same_bytes() {
    let f = fixture();
    let len = f.data.len() as u64;
    for (s, e) in [(0, len - 1), (12_345, 1_000_000)] {
        let span = FileSpan::new(Some([s, e]), len).unwrap();
        let json = answer(&f, s, e, true, "sig");
        let dl = XetDownload::new(parse(&json, true), span, f.file, XetOptions::default()).unwrap();
        let run = drive(&f, dl, Order::Lifo, None, &|_, _| {}).unwrap();
        assert_eq!(run.bytes, &f.data[s as usize..=e as usize]);
    }
}

#[test]
fn no_new_fetch_starts_while_the_budget_of_waiting_chunks_is_spent() {
    let f = fixture();
    let len = f.data.len() as u64;
    let span = FileSpan::new(None, len).unwrap();
    let options = XetOptions { max_in_flight: 8, max_buffered_bytes: 1 };
    let mut dl = XetDownload::new(parse(&answer(&f, 0, len - 1, false, "s"), false), span, f.file, options).unwrap();
    let (a, b) = (dl.next_job().unwrap(), dl.next_job().unwrap());
    // The second range arrives first: its chunks wait for the first term, over the budget.
    dl.job_done(b.id, &serve(&f, &b)).unwrap();
    assert!(dl.held_bytes() > 1);
    assert_eq!(dl.next_piece().unwrap(), None);
    assert_eq!(dl.head_job(), Some(a.id), "the fetch the next bytes wait for");
    assert_eq!(dl.next_job(), None, "budget spent while a fetch is under way");
    dl.job_done(a.id, &serve(&f, &a)).unwrap();
    let mut out = Vec::new();
    while let Some(p) = dl.next_piece().unwrap() {
        out.extend_from_slice(&p);
    }
    assert_eq!(dl.held_bytes(), 0, "released chunks are not held");
    let c = dl.next_job().expect("the budget is free again");
    dl.job_done(c.id, &serve(&f, &c)).unwrap();
    while let Some(p) = dl.next_piece().unwrap() {
        out.extend_from_slice(&p);
    }
    dl.finish().unwrap();
    assert_eq!(out, f.data);
    // A budget smaller than any range still makes progress.
    let tiny = download(&f, None, options, Order::Fifo);
    assert_eq!(tiny.bytes, f.data);
}

#[test]
fn dropped_fetches_are_asked_again_and_nothing_is_delivered_twice() {
    let f = fixture();
    let span = FileSpan::new(None, f.data.len() as u64).unwrap();
    let json = answer(&f, 0, f.data.len() as u64 - 1, false, "sig");
    for order in [Order::Fifo, Order::Lifo] {
        let dl = XetDownload::new(parse(&json, false), span, f.file, XetOptions::default()).unwrap();
        let run = drive(&f, dl, order, Some(2), &|_, _| {}).unwrap();
        assert_eq!(run.bytes, f.data);
    }
}

#[test]
fn job_failed_requeues_the_job_first_and_tracks_the_resume_point() {
    let f = fixture();
    let span = FileSpan::new(Some([1000, 900_000]), f.data.len() as u64).unwrap();
    let json = answer(&f, 1000, 900_000, false, "sig");
    let mut dl = XetDownload::new(parse(&json, false), span, f.file, XetOptions::default()).unwrap();
    let first = dl.next_job().unwrap();
    let second = dl.next_job().unwrap();
    assert_eq!(dl.verified_through(), 1000);
    dl.job_failed(first.id).unwrap();
    assert!(matches!(dl.job_failed(first.id), Err(XetDownloadError::UnknownJob(_))));
    let again = dl.next_job().unwrap();
    assert_eq!(again, first, "the dropped job comes back first, whole");
    dl.job_done(second.id, &serve(&f, &second)).unwrap();
    assert_eq!(dl.next_piece().unwrap(), None, "the second range waits for the first");
    dl.job_done(again.id, &serve(&f, &again)).unwrap();
    let piece = dl.next_piece().unwrap().unwrap();
    assert_eq!(piece, &f.data[1000..1000 + piece.len()]);
    assert_eq!(dl.verified_through(), 1000 + piece.len() as u64);
    assert!(matches!(dl.job_done(999, &[]), Err(XetDownloadError::UnknownJob(999))));
}

#[test]
fn a_tampered_header_stops_the_download_with_an_integrity_error() {
    let f = fixture();
    let span = FileSpan::new(None, f.data.len() as u64).unwrap();
    let json = answer(&f, 0, f.data.len() as u64 - 1, false, "sig");
    let dl = XetDownload::new(parse(&json, false), span, f.file, XetOptions::default()).unwrap();
    // The second range's first chunk header names an unknown compression scheme.
    let err = drive(&f, dl, Order::Fifo, None, &|job, body| {
        if job.id == 1 {
            body[4] = 9;
        }
    })
    .err()
    .expect("tampering is detected");
    assert!(err.is_integrity(), "{err}");
}

#[test]
fn a_changed_data_byte_fails_the_file_hash_so_the_download_never_completes() {
    let f = fixture();
    let len = f.data.len() as u64;
    let span = FileSpan::new(None, len).unwrap();
    let json = answer(&f, 0, len - 1, false, "sig");
    let dl = XetDownload::new(parse(&json, false), span, f.file, XetOptions::default()).unwrap();
    // Random data is stored uncompressed: byte 100 of the body past the 8-byte header is content.
    let err = drive(&f, dl, Order::Lifo, None, &|job, body| {
        if job.id == 2 {
            body[100] ^= 0x40;
        }
    })
    .err()
    .expect("the file hash catches a changed byte");
    assert!(matches!(err, XetDownloadError::Reconstruction(ReconstructionError::FileHashMismatch { .. })), "{err}");
    assert!(err.is_integrity());
}

#[test]
fn after_an_error_no_more_bytes_come_out() {
    let f = fixture();
    let span = FileSpan::new(None, f.data.len() as u64).unwrap();
    let json = answer(&f, 0, f.data.len() as u64 - 1, false, "sig");
    let mut dl = XetDownload::new(parse(&json, false), span, f.file, XetOptions::default()).unwrap();
    let job = dl.next_job().unwrap();
    let mut body = serve(&f, &job);
    body[4] = 9;
    assert!(dl.job_done(job.id, &body).unwrap_err().is_integrity());
    assert_eq!(dl.next_piece(), Err(XetDownloadError::Failed));
    assert_eq!(dl.next_job(), None);
    assert_eq!(dl.finish(), Err(XetDownloadError::Failed));
}

#[test]
fn fresh_urls_replace_expired_ones_only_for_the_same_ranges() {
    let f = fixture();
    let len = f.data.len() as u64;
    let span = FileSpan::new(Some([500, 800_000]), len).unwrap();
    let mut dl =
        XetDownload::new(parse(&answer(&f, 500, 800_000, false, "old"), false), span, f.file, XetOptions::default())
            .unwrap();
    let job = dl.next_job().unwrap();
    assert!(job.url.ends_with("?old"));
    dl.job_failed(job.id).unwrap(); // 403: the URL expired
    dl.refresh_urls(&parse(&answer(&f, 500, 800_000, false, "new"), false)).unwrap();
    assert!(dl.next_job().unwrap().url.ends_with("?new"));
    let other = parse(&answer(&f, 0, 800_000, false, "new"), false);
    assert_eq!(dl.refresh_urls(&other), Err(XetDownloadError::ReconstructionChanged));
}

#[test]
fn a_reconstruction_longer_than_the_file_is_refused() {
    let f = fixture();
    // Claims the file is one byte shorter than the reconstruction.
    let span = FileSpan::new(None, f.data.len() as u64 - 1).unwrap();
    let json = answer(&f, 0, f.data.len() as u64 - 1, false, "sig");
    let dl = XetDownload::new(parse(&json, false), span, f.file, XetOptions::default()).unwrap();
    let err = drive(&f, dl, Order::Fifo, None, &|_, _| {}).err().unwrap();
    assert!(matches!(err, XetDownloadError::WrongLength { .. }), "{err}");
}

#[test]
fn token_answers_and_routes() {
    let t = XetToken::parse(br#"{"accessToken":"ey.x","exp":1000,"casUrl":"http://127.0.0.1:9/cas/"}"#).unwrap();
    assert!(!t.is_expired(900));
    assert!(t.is_expired(971), "within the margin counts as expired");
    let h = XetHash([7; 32]);
    assert_eq!(t.reconstruction_url(&h, true), format!("http://127.0.0.1:9/cas/v2/reconstructions/{h}"));
    assert_eq!(t.reconstruction_url(&h, false), format!("http://127.0.0.1:9/cas/v1/reconstructions/{h}"));
    assert!(matches!(XetToken::parse(b"{}"), Err(XetDownloadError::BadToken { .. })));
    assert!(falls_back_to_v1(404) && falls_back_to_v1(501) && !falls_back_to_v1(500));
    let span = FileSpan::new(Some([5, 9]), 100).unwrap();
    assert_eq!(reconstruction_range(&span).as_deref(), Some("bytes=5-9"));
    assert_eq!(reconstruction_range(&FileSpan::new(None, 100).unwrap()), None);
}

/// Feeds every body in `piece`-byte slices, releasing bytes after each; returns the bytes and the
/// most decoded bytes held at once. `cut` drops the answer of job `cut.0` after `cut.1` bytes once.
fn stream_in_order(f: &Fixture, mut dl: XetDownload, piece: usize, mut cut: Option<(usize, usize)>) -> (Vec<u8>, u64) {
    let mut out = Vec::new();
    let mut held = 0;
    while !dl.is_complete() {
        let job = dl.next_job().expect("a job while incomplete");
        let body = serve(f, &job);
        let limit = match cut {
            Some((id, at)) if id == job.id => {
                cut = None;
                at
            }
            _ => body.len(),
        };
        for slice in body[..limit].chunks(piece) {
            dl.job_data(job.id, slice).unwrap();
            held = held.max(dl.held_bytes());
            while let Some(p) = dl.next_piece().unwrap() {
                out.extend_from_slice(&p);
            }
        }
        if limit < body.len() {
            assert!(matches!(dl.job_end(job.id), Err(XetDownloadError::RangeLength { .. })));
            continue;
        }
        dl.job_end(job.id).unwrap();
        while let Some(p) = dl.next_piece().unwrap() {
            out.extend_from_slice(&p);
        }
    }
    dl.finish().unwrap();
    (out, held)
}

#[test]
fn streamed_bodies_release_chunks_as_they_decode_holding_about_one_chunk() {
    let f = fixture();
    let len = f.data.len() as u64;
    let options = XetOptions { max_in_flight: 1, max_buffered_bytes: u64::MAX };
    for piece in [1, 7, 1000, 65_536, 1 << 22] {
        let span = FileSpan::new(None, len).unwrap();
        let dl = XetDownload::new(parse(&answer(&f, 0, len - 1, false, "s"), false), span, f.file, options).unwrap();
        let (bytes, held) = stream_in_order(&f, dl, piece, None);
        assert_eq!(bytes, f.data, "pieces of {piece}");
        // Read in order, a decoded chunk leaves as soon as it is complete: what is held is the piece
        // just fed plus a chunk, never a whole range (the ranges here are ~500 kB).
        assert!(held <= (piece + 2 * MAX_CHUNK_SIZE) as u64, "held {held} bytes with pieces of {piece}");
        if piece <= 65_536 {
            assert!(held <= 3 * MAX_CHUNK_SIZE as u64, "held {held} bytes with pieces of {piece}");
        }
    }
    let span = FileSpan::new(Some([70_000, 1_200_000]), len).unwrap();
    let dl = XetDownload::new(parse(&answer(&f, 70_000, 1_200_000, false, "s"), false), span, f.file, options).unwrap();
    assert_eq!(stream_in_order(&f, dl, 4096, None).0, &f.data[70_000..=1_200_000]);
}

#[test]
fn a_range_cut_mid_body_is_asked_again_and_its_delivered_chunks_are_not_repeated() {
    let f = fixture();
    let len = f.data.len() as u64;
    let options = XetOptions { max_in_flight: 1, max_buffered_bytes: u64::MAX };
    for cut_at in [3, 8, 100_000, 300_001] {
        let span = FileSpan::new(None, len).unwrap();
        let dl = XetDownload::new(parse(&answer(&f, 0, len - 1, false, "s"), false), span, f.file, options).unwrap();
        let (bytes, _) = stream_in_order(&f, dl, 5000, Some((1, cut_at)));
        assert_eq!(bytes, f.data, "cut at {cut_at}");
    }
}
