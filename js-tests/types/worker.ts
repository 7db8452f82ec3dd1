// hubwasm/worker as a TypeScript user writes it: the main entry's async API and error classes.
import { EntryNotFoundError, HubClient, sha256, terminateWorker, xetHash } from "hubwasm/worker";

export async function inTheWorker(file: File): Promise<string> {
  const digest: string = await sha256(file);
  const { hash, size } = await xetHash(file, { sha256: false });
  const hub = new HubClient({ hubUrl: "http://127.0.0.1:1", accessToken: "hf_x" });
  try {
    await hub.downloadFile({ repo: "org/name", path: "config.json" });
  } catch (error) {
    if (error instanceof EntryNotFoundError) return `${error.status}`;
  }
  for await (const entry of hub.listFiles({ repo: "org/name" })) entry.path.toUpperCase();
  terminateWorker();
  // @ts-expect-error a size is a number
  const wrong: string = size;
  return `${digest} ${hash} ${wrong}`;
}
