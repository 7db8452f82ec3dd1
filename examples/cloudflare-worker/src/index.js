// A Cloudflare Worker that streams a chat completion to its client as Server-Sent Events:
//
//   GET /?prompt=Hello  →  text/event-stream: `data: {"token":"…"}` per token, then `data: [DONE]`
//
// and serves Hub files through the Cache API (HubClient's default store in Workers):
//
//   GET /files/{org}/{name}/{path}  →  the file (a `Range: bytes=…` request gets a 206), fetched
//   from the Hub once, then from the Cache API; `x-hubwasm-from-cache` says which.
//
// Each token is written as soon as its bytes arrive from the router (the stream is pulled: nothing
// is buffered ahead of the client), and a client that goes away cancels the upstream request at
// once (the ReadableStream's cancel() ends the iterator, which aborts its fetch).
import { HubClient, InferenceClient } from "hubwasm";

const encoder = new TextEncoder();
const event = (data) => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` of a `total`-byte file as [start, end] (inclusive), null when
 * the header is absent, "unsatisfiable" past the end or malformed (then the whole file is served). */
function parseRange(header, total) {
  const m = header === null ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === "" && m[2] === "")) return null;
  const [start, end] = m[1] === "" ? [Math.max(0, total - Number(m[2])), total - 1] : [Number(m[1]), m[2] === "" ? total - 1 : Math.min(Number(m[2]), total - 1)];
  if (m[1] === "" ? Number(m[2]) === 0 : start >= total || start > end) return "unsatisfiable";
  return [start, end];
}

async function serveFile(request, env, repo, path) {
  const hub = new HubClient({ hubUrl: env.HF_ENDPOINT || undefined, accessToken: env.HF_TOKEN || undefined });
  let file;
  try {
    file = await hub.downloadFile({ repo, path, abortSignal: request.signal });
  } catch (error) {
    const status = error.code === "ENTRY_NOT_FOUND" || error.code === "REPO_NOT_FOUND" ? 404 : 502;
    return Response.json({ name: error.name, code: error.code, message: error.message }, { status });
  }
  const total = file.size;
  const headers = { etag: `"${file.etag}"`, "accept-ranges": "bytes", "content-type": "application/octet-stream" };
  const range = parseRange(request.headers.get("range"), total);
  if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { "content-range": `bytes */${total}` } });
  if (range === null) {
    headers["x-hubwasm-from-cache"] = String(file.fromCache);
    return new Response(file.stream(), { headers: { ...headers, "content-length": String(total) } });
  }
  // The commit the first call resolved: a commit id already cached costs no request.
  const part = await hub.downloadFile({ repo, path, revision: file.commit, range, abortSignal: request.signal });
  headers["x-hubwasm-from-cache"] = String(part.fromCache);
  headers["content-range"] = `bytes ${range[0]}-${range[1]}/${total}`;
  return new Response(part.stream(), { status: 206, headers: { ...headers, "content-length": String(part.size) } });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const files = /^\/files\/([^/]+\/[^/]+)\/(.+)$/.exec(url.pathname);
    if (files !== null) return serveFile(request, env, decodeURIComponent(files[1]), decodeURIComponent(files[2]));
    const prompt = url.searchParams.get("prompt") ?? "Hello!";
    const ai = new InferenceClient({
      accessToken: env.HF_TOKEN,
      provider: env.PROVIDER || "auto",
      endpointUrl: env.HF_INFERENCE_ENDPOINT || undefined,
    });
    const chunks = ai.chatCompletionStream({
      model: url.searchParams.get("model") ?? env.MODEL,
      messages: [{ role: "user", content: prompt }],
      abortSignal: request.signal,
    });
    const body = new ReadableStream(
      {
        async pull(controller) {
          try {
            for (;;) {
              const { done, value } = await chunks.next();
              if (done) {
                controller.enqueue(event("[DONE]"));
                controller.close();
                return;
              }
              const token = value.choices[0]?.delta?.content;
              if (token) {
                controller.enqueue(event({ token }));
                return;
              }
            }
          } catch (error) {
            // A typed hubwasm error: its name and code reach the client, never a stack.
            controller.enqueue(encoder.encode(`event: error\ndata: ${JSON.stringify({ name: error.name, code: error.code, message: error.message })}\n\n`));
            controller.close();
          }
        },
        cancel() {
          return chunks.return();
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  },
};
