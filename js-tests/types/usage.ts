// The public API used as a TypeScript user would; `tsc --noEmit` must accept it. The
// `@ts-expect-error` lines prove the types are precise (they fail if a type degrades to `any`).
import {
  createSha256,
  createXetHasher,
  createXetUploadPlanner,
  HubError,
  InternalError,
  InvalidInputError,
  InvalidStateError,
  ready,
  sha256,
  Sha256Hasher,
  SourceReadError,
  xetHash,
  type XetFileDigest,
  type XetPlannedFile,
  type XetUploadStats,
  type XetXorb,
} from "hubwasm";

export async function usage(file: Blob, stream: ReadableStream<Uint8Array>): Promise<string[]> {
  await ready;
  const digests: string[] = [];
  digests.push(await sha256(file));
  digests.push(await sha256(stream));
  digests.push(await sha256(new Uint8Array([1, 2, 3])));
  digests.push(await sha256(new ArrayBuffer(8)));

  const hasher: Sha256Hasher = createSha256();
  hasher.update(new Uint8Array(4));
  const hashed: number = hasher.bytesHashed;
  digests.push(hasher.digest(), String(hashed));
  hasher.free();

  try {
    // @ts-expect-error a number is not a byte source
    await sha256(42);
  } catch (error) {
    if (error instanceof InvalidInputError || error instanceof SourceReadError) {
      const code: string = error.code;
      const status: number | undefined = error.status;
      digests.push(code, String(status));
    } else if (error instanceof HubError) {
      const requestId: string | undefined = error.requestId;
      digests.push(String(requestId));
    }
  }
  const digest: XetFileDigest = await xetHash(file);
  const legacy = await xetHash(stream, { boundaryRule: "legacy" });
  const oid: string | null = digest.sha256;
  digests.push(digest.hash, oid ?? "", String(digest.size), legacy.chunks.map((c) => `${c.hash}:${c.size}`).join());
  // @ts-expect-error only "current" and "legacy" are rules
  await xetHash(file, { boundaryRule: "fast" });
  const light = await xetHash(file, { sha256: false });
  digests.push(String(light.sha256));
  const xet = createXetHasher();
  xet.update(new Uint8Array(3));
  const finished: XetFileDigest = xet.finish();
  digests.push(finished.hash, String(new InvalidStateError("x").code));

  const planner = createXetUploadPlanner();
  planner.update(new Uint8Array(10));
  const planned: XetPlannedFile = planner.finishFile();
  const shard: Uint8Array | undefined = planner.finish();
  for (let x: XetXorb | undefined = planner.takeXorb(); x; x = planner.takeXorb()) {
    digests.push(x.hash, String(x.bytes.byteLength + x.chunkCount));
  }
  const stats: XetUploadStats = planner.stats;
  digests.push(planned.sha256, String(shard?.byteLength), String(stats.deduplicatedBytes));

  // @ts-expect-error the classes are types only: instances come from createSha256() and friends
  digests.push(String(Sha256Hasher));
  digests.push(new InternalError("bug").code);

  // @ts-expect-error digest() returns a string, not a Promise
  digests.push((hasher.digest() as Promise<string>).then);
  return digests;
}
