// Deterministic inputs shared by scenarios, from the Xet spec's test vectors (§9).

/** SplitMix64 output bytes, little-endian, truncated to `length` (spec §9.2). */
export function splitmix64Bytes(seed, length) {
  const mask = (1n << 64n) - 1n;
  let state = BigInt(seed);
  const out = new Uint8Array(length + 8);
  const view = new DataView(out.buffer);
  for (let offset = 0; offset < length; offset += 8) {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    view.setBigUint64(offset, z ^ (z >> 31n), true);
  }
  return out.subarray(0, length);
}

/** Spec §9.3: a 128-byte pattern then `zeros` zero bytes, repeated to 65 536 bytes. */
export function triggerPattern(zeros) {
  const pattern = [
    154, 52, 42, 34, 159, 75, 126, 224, 70, 236, 12, 196, 79, 236, 178, 124, 127, 50, 99, 178, 44, 176, 174, 126, 250, 235,
    205, 174, 252, 122, 35, 10, 20, 101, 214, 69, 193, 8, 115, 105, 158, 228, 120, 111, 136, 162, 198, 251, 211, 183, 253,
    252, 164, 147, 63, 16, 186, 162, 117, 23, 170, 36, 205, 187, 174, 76, 210, 174, 211, 175, 12, 173, 145, 59, 2, 70, 222,
    181, 159, 227, 182, 156, 189, 51, 226, 106, 24, 50, 183, 157, 140, 10, 8, 23, 212, 70, 10, 234, 23, 33, 219, 254, 39,
    236, 70, 49, 191, 116, 9, 115, 15, 101, 26, 159, 165, 220, 15, 170, 56, 125, 92, 163, 94, 235, 38, 40, 49, 81,
  ];
  const block = new Uint8Array(128 + zeros);
  block.set(pattern);
  const out = new Uint8Array(65536);
  for (let i = 0; i < out.length; i++) out[i] = block[i % block.length];
  return out;
}

/** Spec §9.6: data[i] = (i·a + b) & 0xFF. */
export function periodicBytes(n, a, b) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * a + b) & 0xff;
  return out;
}

/** Chunk end offsets from a list of chunk sizes. */
export function endOffsets(chunks) {
  let end = 0;
  return chunks.map((c) => (end += c.size));
}
