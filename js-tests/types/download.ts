// downloadFile's options and its file object, type-checked by `cargo xtask test` (tsc --noEmit).
import { HubClient, IntegrityError, type DownloadedFile, type DownloadFileOptions, type DownloadProgress } from "hubwasm";

export async function downloads(hub: HubClient, signal: AbortSignal): Promise<void> {
  const options: DownloadFileOptions = {
    repo: { type: "dataset", name: "org/data" },
    path: "data/train.csv",
    revision: "main",
    range: [0, 1023],
    abortSignal: signal,
    onProgress: (p: DownloadProgress) => console.log(p.loaded, p.total),
  };
  const file: DownloadedFile = await hub.downloadFile(options);
  const meta: [string, number, string, string, string | undefined] = [file.path, file.size, file.etag, file.commit, file.xetHash];
  const stream: ReadableStream<Uint8Array> = file.stream();
  const blob: Blob = await file.blob();
  const buffer: ArrayBuffer = await file.arrayBuffer();
  const text: string = await file.text();
  const json: unknown = await file.json();
  console.log(meta, stream, blob, buffer, text, json, (await hub.downloadFile({ repo: "org/model", path: "a" })).size);
  try {
    await (await hub.downloadFile({ repo: "org/model", path: "model.safetensors" })).arrayBuffer();
  } catch (e) {
    if (e instanceof IntegrityError) console.log(e.code);
  }
  // @ts-expect-error a range is a [start, end] pair of numbers
  await hub.downloadFile({ repo: "org/model", path: "a", range: "0-10" });
  // @ts-expect-error path is required
  await hub.downloadFile({ repo: "org/model" });
}
