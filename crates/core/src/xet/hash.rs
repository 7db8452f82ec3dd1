//! Xet hashes (spec §1, §3): keyed BLAKE3 for chunks, Merkle aggregation for xorbs and files,
//! term verification hashes and the HMAC'd chunk hashes of global-dedup shards.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Key of chunk hashes.
const DATA_KEY: [u8; 32] = [
    102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16, 155, 235, 43, 88, 180,
    208, 176, 75, 147, 173, 242, 41,
];
/// Key of Merkle internal nodes.
const INTERNAL_NODE_KEY: [u8; 32] = [
    1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230, 93, 221, 83, 111, 55, 199, 109, 210, 248,
    99, 82, 230, 74, 83, 113, 63,
];
/// Key of term verification (range) hashes.
const VERIFICATION_KEY: [u8; 32] = [
    127, 24, 87, 214, 206, 86, 237, 102, 18, 127, 249, 19, 231, 165, 195, 243, 164, 205, 38, 213, 181, 219, 73, 230,
    65, 36, 152, 127, 40, 251, 148, 195,
];

/// A 32-byte Xet hash. In text it uses the Xet convention (§1): each 8-byte group is written as a
/// little-endian u64 in hex, so the string is not the plain hex of the bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct XetHash(pub [u8; 32]);

/// A hash string that is not 64 hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidHashString;

impl fmt::Display for InvalidHashString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Xet hash is exactly 64 hexadecimal digits")
    }
}

impl core::error::Error for InvalidHashString {}

impl XetHash {
    pub const ZERO: XetHash = XetHash([0; 32]);

    /// Parses the Xet string form (upper or lower case hex).
    pub fn from_hex(s: &str) -> Result<Self, InvalidHashString> {
        let s = s.as_bytes();
        if s.len() != 64 {
            return Err(InvalidHashString);
        }
        let mut out = [0u8; 32];
        for (group, text) in s.chunks_exact(16).enumerate() {
            let mut word = 0u64;
            for &c in text {
                let digit = match c {
                    b'0'..=b'9' => c - b'0',
                    b'a'..=b'f' => c - b'a' + 10,
                    b'A'..=b'F' => c - b'A' + 10,
                    _ => return Err(InvalidHashString),
                };
                word = (word << 4) | u64::from(digit);
            }
            out[group * 8..group * 8 + 8].copy_from_slice(&word.to_le_bytes());
        }
        Ok(XetHash(out))
    }

    /// The Xet string form: 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        let mut twisted = [0u8; 32];
        for (dst, src) in twisted.chunks_exact_mut(8).zip(self.0.chunks_exact(8)) {
            dst.copy_from_slice(src);
            dst.reverse();
        }
        crate::hex::encode(&twisted)
    }

    /// Bytes 24..32 as a little-endian u64 (xet-core's `hash % n` uses this word).
    pub fn word3(&self) -> u64 {
        u64::from_le_bytes(self.0[24..32].try_into().expect("8 bytes"))
    }

    /// A SHA-256 digest stored the way shards keep it (§3.8): as the hash whose Xet string is the
    /// digest's ordinary hex.
    pub fn from_sha256(digest: &[u8; 32]) -> Self {
        let mut out = *digest;
        for group in out.chunks_exact_mut(8) {
            group.reverse();
        }
        XetHash(out)
    }

    /// Inverse of [`XetHash::from_sha256`].
    pub fn to_sha256(&self) -> [u8; 32] {
        Self::from_sha256(&self.0).0
    }
}

impl fmt::Debug for XetHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "XetHash({})", self.to_hex())
    }
}

impl fmt::Display for XetHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

fn keyed(key: &[u8; 32], message: &[u8]) -> XetHash {
    XetHash(*blake3::keyed_hash(key, message).as_bytes())
}

/// Hash of one chunk's uncompressed bytes (§3.2).
pub fn chunk_hash(data: &[u8]) -> XetHash {
    keyed(&DATA_KEY, data)
}

/// Incremental chunk hash, for chunks that arrive in pieces.
#[derive(Clone)]
pub struct ChunkHasher(blake3::Hasher);

impl ChunkHasher {
    pub fn new() -> Self {
        ChunkHasher(blake3::Hasher::new_keyed(&DATA_KEY))
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// Returns the hash of everything fed since the last call and starts over.
    pub fn finish_and_reset(&mut self) -> XetHash {
        let hash = XetHash(*self.0.finalize().as_bytes());
        self.0.reset();
        hash
    }
}

impl Default for ChunkHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// Merkle aggregate of `(hash, size)` nodes (§3.3): the xorb hash of a xorb's chunks, and the inner
/// value of a file hash. Empty input gives [`XetHash::ZERO`].
pub fn aggregate_hash(nodes: &[(XetHash, u64)]) -> XetHash {
    match nodes {
        [] => XetHash::ZERO,
        [(only, _)] => *only,
        _ => {
            let mut level: Vec<(XetHash, u64)> = merge_level(nodes);
            while level.len() > 1 {
                level = merge_level(&level);
            }
            level[0].0
        }
    }
}

/// One level of the tree: consecutive groups (cut by [`group_len`]) merged into one node each.
fn merge_level(nodes: &[(XetHash, u64)]) -> Vec<(XetHash, u64)> {
    let mut next = Vec::with_capacity(nodes.len() / 3 + 1);
    let mut rest = nodes;
    while !rest.is_empty() {
        let n = group_len(rest);
        next.push(merge_group(&rest[..n]));
        rest = &rest[n..];
    }
    next
}

/// Mean branching factor 4, between 2 and 9 children: a group ends after the first node from the
/// third on whose hash is 0 mod 4.
fn group_len(rest: &[(XetHash, u64)]) -> usize {
    const MAX_CHILDREN: usize = 9;
    if rest.len() <= 2 {
        return rest.len();
    }
    let limit = rest.len().min(MAX_CHILDREN);
    (2..limit).find(|&i| rest[i].0.word3() % 4 == 0).map_or(limit, |i| i + 1)
}

fn merge_group(group: &[(XetHash, u64)]) -> (XetHash, u64) {
    // "<xet hex> : <size>\n" per child; at most 9 × 88 bytes.
    let mut text = Vec::with_capacity(group.len() * 88);
    let mut total = 0u64;
    for (hash, size) in group {
        text.extend_from_slice(hash.to_hex().as_bytes());
        text.extend_from_slice(b" : ");
        push_decimal(&mut text, *size);
        text.push(b'\n');
        total += size;
    }
    (keyed(&INTERNAL_NODE_KEY, &text), total)
}

fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// The xorb hash: the aggregate of its chunks (§3.4).
pub fn xorb_hash(chunks: &[(XetHash, u64)]) -> XetHash {
    aggregate_hash(chunks)
}

/// The file hash (Xet file id) of a file's chunks (§3.5); an empty file's is [`XetHash::ZERO`].
pub fn file_hash(chunks: &[(XetHash, u64)]) -> XetHash {
    file_hash_with_salt(chunks, &[0; 32])
}

/// [`file_hash`] with another key; every Hub call site uses the zero salt.
pub fn file_hash_with_salt(chunks: &[(XetHash, u64)], salt: &[u8; 32]) -> XetHash {
    if chunks.is_empty() {
        return XetHash::ZERO;
    }
    keyed(salt, &aggregate_hash(chunks).0)
}

/// Verification hash of a term covering `chunk_hashes` (§3.6).
pub fn verification_hash(chunk_hashes: impl IntoIterator<Item = XetHash>) -> XetHash {
    let mut hasher = blake3::Hasher::new_keyed(&VERIFICATION_KEY);
    for hash in chunk_hashes {
        hasher.update(&hash.0);
    }
    XetHash(*hasher.finalize().as_bytes())
}

/// A chunk hash keyed the way global-dedup shards list them (§3.7). A zero key means no keying.
pub fn hmac_chunk_hash(chunk: &XetHash, key: &XetHash) -> XetHash {
    if *key == XetHash::ZERO {
        return *chunk;
    }
    keyed(&key.0, &chunk.0)
}

/// Whether a chunk is worth a global-dedup query (§3.9).
pub fn is_global_dedup_eligible(chunk: &XetHash, first_chunk_of_file: bool) -> bool {
    first_chunk_of_file || chunk.word3() % 1024 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xet::chunker::{chunk_boundaries, BoundaryRule};
    use crate::xet::test_data::splitmix64_bytes;

    fn h(s: &str) -> XetHash {
        XetHash::from_hex(s).unwrap()
    }

    #[test]
    fn hex_twist_examples() {
        let mut raw = [0u8; 32];
        raw.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        assert_eq!(XetHash(raw).to_hex(), "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918");
        let raw = [
            22, 175, 58, 132, 4, 75, 131, 214, 190, 153, 138, 66, 226, 3, 153, 242, 204, 86, 80, 234, 249, 153, 80, 99,
            159, 80, 65, 138, 236, 231, 149, 78,
        ];
        let s = "d6834b04843aaf16f29903e2428a99be635099f9ea5056cc4e95e7ec8a41509f";
        assert_eq!(XetHash(raw).to_hex(), s);
        assert_eq!(h(s), XetHash(raw));
        assert_eq!(h(&s.to_uppercase()), XetHash(raw));
        assert_eq!(XetHash::from_hex(&s[..62]), Err(InvalidHashString));
        assert_eq!(XetHash::from_hex(&s.replace('d', "g")), Err(InvalidHashString));
    }

    // Spec §9.4 [3P]: draft-denis-xet vectors.
    #[test]
    fn single_primitives() {
        let c = chunk_hash(b"Hello World!");
        assert_eq!(crate::hex::encode(&c.0), "a29cfb08e608d4d8726dd8659a90b9134b3240d5d8e42d5fcb28e2a6e763a3e8");
        assert_eq!(c.to_hex(), "d8d408e608fb9ca213b9909a65d86d725f2de4d8d540324be8a363e7a6e228cb");

        let node = aggregate_hash(&[
            (h("c28f58387a60d4aa200c311cda7c7f77f686614864f5869eadebf765d0a14a69"), 100),
            (h("6e4e3263e073ce2c0e78cc770c361e2778db3b054b98ab65e277fc084fa70f22"), 200),
        ]);
        assert_eq!(node.to_hex(), "be64c7003ccd3cf4357364750e04c9592b3c36705dee76a71590c011766b6c14");

        let raw = |s: &str| {
            let mut out = [0u8; 32];
            for (i, b) in out.iter_mut().enumerate() {
                *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
            }
            XetHash(out)
        };
        let v = verification_hash([
            raw("aad4607a38588fc2777f7cda1c310c209e86f564486186f6694aa1d065f7ebad"),
            raw("2cce73e063324e6e271e360c77cc780e65ab984b053bdb78220fa74f08fc77e2"),
        ]);
        assert_eq!(v.to_hex(), "eb06a8ad81d588ac05d1d9a079232d9c1e7d0b07232fa58091caa7bf333a2768");
    }

    // Spec §9.4 [V]: huggingface.js and xet-core vectors.
    #[test]
    fn verification_hmac_and_zero_vectors() {
        let v = verification_hash([
            h("118bbac5c38b2bca9c2b7ae8307786de066696b91b2b5ccb7dbbd4608c966882"),
            h("7884d4de4bcc904767362a91e97eb6c2b6bc5f3a61b640d0cad8bb1129ff0827"),
        ]);
        assert_eq!(v.to_hex(), "82d580dd3896919ef870af78b2c7bd21e67e79777922bbc8cef1fc21630c308c");

        let keyed = hmac_chunk_hash(
            &h("118bbac5c38b2bca9c2b7ae8307786de066696b91b2b5ccb7dbbd4608c966882"),
            &h("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"),
        );
        assert_eq!(keyed.to_hex(), "1e1f5ae2bae99fe030647a14a8c5fe6cdce57826387a7552236dfbebed533e04");

        let from_shard = hmac_chunk_hash(
            &h("9502eec19d4b0c9f7b389228fa801f68ecdf15d69ccd1da2f9ddbd0219898335"),
            &h("d6834b04843aaf16f29903e2428a99be635099f9ea5056cc4e95e7ec8a41509f"),
        );
        assert_eq!(from_shard.to_hex(), "81b34a5179857460a1a5ba079fcf7231c307a19940ccb769e49240df5ec6c466");

        assert_eq!(
            file_hash(&[(XetHash::ZERO, 0)]).to_hex(),
            "638a6bc391964a85939d48f008e8bdbae6a7975e7ca2d87a3ce2492f4e4d8a4c"
        );
        assert_eq!(file_hash(&[]), XetHash::ZERO);
    }

    // Spec §9.5: xet-core aggregated_hashes.rs::test_correctness.
    #[test]
    fn merkle_reference_table() {
        let rh = [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6",
            "c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72",
            "0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37",
            "adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784",
            "4ac202caf347fc1e9c874b1ef6a1c5e619141eb775a6f43f0f0124ccd0060d9e",
            "b3b28636f65c149ea52eb1f94669466f70f033b54cea792824c696ba6ef3c389",
            "0e2c1a002aae913d2c0fc8ddfa4e9e14b7b311b3b0d458726d5d9f6a6318013c",
        ];
        let seq = |ks: &[usize]| ks.iter().map(|&k| (h(rh[k]), 100 * k as u64)).collect::<Vec<_>>();
        let all8: Vec<usize> = (0..8).collect();
        let cases: Vec<(Vec<usize>, &str, &str)> = alloc::vec![
            (
                alloc::vec![0],
                "0000000000000000000000000000000000000000000000000000000000000000",
                "638a6bc391964a85939d48f008e8bdbae6a7975e7ca2d87a3ce2492f4e4d8a4c"
            ),
            (
                alloc::vec![1],
                "cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6",
                "8e16257caa3fe079d484d872a8975264b2ff683b0d6db9028cc7c0f968a45661"
            ),
            (
                alloc::vec![1, 2, 3],
                "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc",
                "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715"
            ),
            (
                alloc::vec![1, 1, 1, 1],
                "89f2ada89ff8c96763c6b25010e6dd76a4c05b1466207633ea559acf2093211b",
                "2cdba690d0e09563596e0cda626d43eb4c96ef1e994fe72d9b2f5a83cfcd36dd"
            ),
            (
                alloc::vec![1, 2, 1, 2],
                "90f8313ef12df385d237a067aded02562c35ded12116e32eba401dbc86c38031",
                "284ea045e5a579e99c21ec597c20de1fc0c09e7168162aac00db8f61b3d82dbb"
            ),
            (
                alloc::vec![1, 2, 1, 2, 3, 4],
                "52c826f99507aa05d0b45e9837fa1709e0485425cfbcb1e80db3905cf98b3ee9",
                "91d21684db364c8883ab8209fa5eb2e781cf07f37e1fa43e731c30839afe422f"
            ),
            (
                alloc::vec![0, 1, 0, 1],
                "e1755c85be07fd6b7a8d7becc85e6d8c5f507f2a3d38b316bcb6f97855e72188",
                "207caf24fce045ac6d873b4c6186a5a435d600d103e1ae345e55ddf1f4b7f7ef"
            ),
            (
                alloc::vec![0, 1, 0, 1, 0],
                "f36c6a6374a567efd36ed087aeb680b57e3af4e0b5b8e7be2593df4cb647a2de",
                "ab2f46d31855e1133b3b5b70e78f841394a648710a208923b221c1a8a0572a1f"
            ),
            (
                alloc::vec![1, 0],
                "e8660f81494ca836a58e395c1395ef97870ed71e2b113eec1fab6b3361f46dd6",
                "274d92f7e2acebaa2b8d63c0b5e7a4fc15814a606e3e3825d55609e671bcc5d9"
            ),
            (
                alloc::vec![3, 4, 5, 3],
                "73b9dc802ab03a0855c66823a18d95c2a785af594535756abf405038b6270cb8",
                "c7d5be75ef5ec12888027ad305141e4109e599494477661177475c84e12de48b"
            ),
            (
                alloc::vec![3, 4, 5, 5, 5],
                "2c1fd1eca47e284512fcb40fcf45a1874939f9b91c774d46aeba5d004d9d263d",
                "0799ba7ee2c3fed173a8e8d832cd13970ddc16070ffbc8aa6dcd77476f66dc73"
            ),
            (
                all8.clone(),
                "f62abe77e3fb9c954fe52b0028027ddc90c064c45951a4fd2211d87e5c0011db",
                "d1b068be5bbdb38992269e8efe61f601881e39f7a7585fd76883cc6ea5c23b44"
            ),
            (
                (0..64).map(|i| i % 8).collect(),
                "6554007c9b5d0a5e7918f79596a1b68815c1407535585435f5735db761f21b88",
                "a8640ab81d48854e00078e12b1ea8be5d90be0ffb5f73a15b7009981d093ddd8"
            ),
            (
                alloc::vec![1; 32],
                "0a0123c1617921883b7e13902095fcb86676e77c49120c33b233003b0af0e0a6",
                "53af4711fd1d5e5bdc7f931b6be932314d8d673cb16ad2482f6f5222eaf9e63d"
            ),
            (
                all8.iter().copied().chain([1, 1, 1, 1]).collect(),
                "e7fc30b73ec9930593f80fe777b334e9d3bb73e45e6a79fa5784b2603446158b",
                "69e1af2fd6023ce133e0d1b90e32d1d42ef79f5a710f2b0accfc3a735e98de9d"
            ),
            (
                all8.iter().flat_map(|&k| [k, k]).collect(),
                "636c65db520ec16e8166f9ec7a0cf9f74b26369077ac60160ec0221c86bc9f77",
                "6a90ad0d6f5246ac61f1de898c6944c03e14004a1368e6fb23387108c4d039e0"
            ),
        ];
        for (ks, xorb, file) in &cases {
            let nodes = seq(ks);
            assert_eq!(xorb_hash(&nodes).to_hex(), *xorb, "xorb hash of {ks:?}");
            assert_eq!(file_hash(&nodes).to_hex(), *file, "file hash of {ks:?}");
        }
        let salted = |ks: &[usize], salt: &str| file_hash_with_salt(&seq(ks), &h(salt).0).to_hex();
        assert_eq!(
            salted(&[1], "285371a6a3c8c4e561469c97766c46f0b9799bd8ea51a4ad27a082df8c28b7da"),
            "6c18994ed5e6a223aeff68a6e386dbba7b3c25de076245dc77892b4ad49ac978"
        );
        assert_eq!(
            salted(&[1, 2, 3], "b286606709ef32a1cfede1e603a39f83fef56772d8234c0e35d8920071d80b69"),
            "337f1f046e4cfc1057f0f3edbd87cf977fdfaf3c2b0c0031ca2d1d2a34aa2270"
        );
    }

    // Spec §9.2(a): chunk hashes of the 1 MB SplitMix64 input.
    #[test]
    fn chunk_hashes_of_one_megabyte_of_splitmix64_data() {
        let data = splitmix64_bytes(0, 1_000_000);
        let expected = [
            "6eca1e7dadaf08cca5d82d318c800f07c2ddcec115a7e8627e5edd9605b94b8d",
            "624ea34d72a06e5d43a1b8dd10763f0d22f165992c397ed97563899b27fdd88a",
            "4411d2ec847c6e3f451a7451ff3933adb4f1c31587421b9f730b698a78313b47",
            "6342bde97433e29e0779ad33eb8040d986679040361b3cc3a06230fe60dd6c9b",
            "405253fcf15bba751adc4f507d3453273daff81ed4d8acd71c521aa1cbddc0b5",
            "4482374af7f8bebfdb5c5df0299f80128d6c58886ad7b218c562b1d74064e4cb",
            "80acc8d39c853b4b8a8c6ad7b63bf2ea68f62c2226b92f06349f92cc84d213cc",
            "a7076d7d343f711fb20fe6cd023248d8d051e8fe7d44172596cd5c7ea7edaf65",
            "44755217bbb4dadc81ea7695765230a34a2e6cb3b55f373f1de35aeba79ae92c",
            "001adc1d302d5f039278325dcbd5ec3b194f4794f1629d6f962f9f4bb78a7bff",
            "f8460a337c186f07c2e225bb287a1d3d3d686dc69d0828e99640f7d8852c5b90",
            "c9bc3da29025dc1ba562d303d815151d9a937367abb766ae842a165e8493d9fe",
            "5044339dfd65e8163bdfe642614a6be604b04d6aeacf222cf219ad287bfc5cf1",
            "163622db0fe0da93f2ef964eed4c485f3c7a9c312f8e8e8a312ab4bb8141f13e",
            "e1730534a858aa0258ad8904ef12b829b8a123a1c611250275c9ca9471e4c650",
            "1fbc6854f9185caba1e1f55393f41f83b895b18f9c99245c029025ca48f1e14b",
            "8a27b66ccf05b864b6bef6fb5c970fe894f73d2330e8e98fe7841dcdbd9e9576",
            "bc70a33e7a9ec820cac24b87023469a57bdae1bf91cc3961b95806c64a525221",
            "03e5b5f5a088269ec4b329f1e04debfac4cb54b9c0facf038f7e8e0f054be7e2",
        ];
        let mut start = 0;
        let got: Vec<String> = chunk_boundaries(&data, BoundaryRule::Current)
            .into_iter()
            .map(|end| {
                let hash = chunk_hash(&data[start..end]).to_hex();
                start = end;
                hash
            })
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn sha256_is_stored_twisted_in_shards() {
        let digest = crate::lfs::Sha256::digest(b"abc");
        let stored = XetHash::from_sha256(&digest);
        assert_eq!(stored.to_hex(), crate::hex::encode(&digest));
        assert_eq!(stored.to_sha256(), digest);
    }

    #[test]
    fn global_dedup_eligibility() {
        assert!(is_global_dedup_eligible(&h("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6"), true));
        let mut raw = [0u8; 32];
        raw[24] = 0; // word3 == 0 → 0 mod 1024
        assert!(is_global_dedup_eligible(&XetHash(raw), false));
        raw[24] = 1;
        assert!(!is_global_dedup_eligible(&XetHash(raw), false));
    }
}
