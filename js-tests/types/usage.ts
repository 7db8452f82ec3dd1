// The public API used as a TypeScript user would; `tsc --noEmit` must accept it. The
// `@ts-expect-error` lines prove the types are precise (they fail if a type degrades to `any`).
import { createSha256, HubError, InvalidInputError, ready, sha256, Sha256Hasher, SourceReadError } from "hubwasm";

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
  // @ts-expect-error digest() returns a string, not a Promise
  digests.push((hasher.digest() as Promise<string>).then);
  return digests;
}
