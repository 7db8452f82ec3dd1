// A Cloudflare Worker in front of the Hugging Face Hub, with three routes:
//
//   GET /?prompt=Hello (or /chat?prompt=…)  →  a chat completion as Server-Sent Events:
//       `data: {"token":"…"}` per token, then `data: [DONE]`
//   GET /{repo}/resolve/{revision}/{path}  →  the file, with `Range` support, kept in the Cache API
//       (hubwasm's cache in workerd): a second request is served from it without fetching
//   PUT /{repo}/upload/{branch}/{path}     →  the request body committed to the Hub as that file
//       (`Authorization: Bearer <UPLOAD_SECRET>`; uploads are off while UPLOAD_SECRET is unset)
//
// {repo} is `org/name`, `datasets/org/name` or `spaces/org/name`; a revision or branch with a `/`
// is written `%2F`, as on the Hub.
//
// Chat tokens are written as soon as their bytes arrive from the router (the stream is pulled:
// nothing is buffered ahead of the client), and a client that goes away cancels the upstream
// request at once (the ReadableStream's cancel() ends the iterator, which aborts its fetch). Files
// stream the same way, verified as they come.
import { HubClient, HubError, InferenceClient, InvalidInputError } from "hubwasm";

const encoder = new TextEncoder();
const event = (data) => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
const json = (value, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

/** One HubClient per isolate (its cache and connections are reused across requests). */
let hub;
function hubClient(env) {
  hub ??= new HubClient({ accessToken: env.HF_TOKEN, hubUrl: env.HF_HUB_URL || undefined });
  return hub;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/" || url.pathname === "/chat") return chat(request, env, url);
      const route = hubRoute(url.pathname);
      if (route?.action === "resolve" && (request.method === "GET" || request.method === "HEAD")) {
        return await serveFile(request, env, route);
      }
      if (route?.action === "upload" && request.method === "PUT") return await upload(request, env, route);
      return json({ error: "no such route" }, 404);
    } catch (error) {
      return errorResponse(error);
    }
  },
};

function chat(request, env, url) {
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
}

/** `{repo}/{resolve|upload}/{revision}/{path}` split, or null. */
function hubRoute(pathname) {
  const segments = pathname.split("/").slice(1);
  const repoLength = ["datasets", "spaces", "models"].includes(segments[0]) ? 3 : 2;
  const [action, revision, ...path] = segments.slice(repoLength);
  if (!["resolve", "upload"].includes(action) || !revision || path.length === 0) return null;
  try {
    return {
      action,
      repo: segments.slice(0, repoLength).join("/"),
      revision: decodeURIComponent(revision),
      path: path.map(decodeURIComponent).join("/"),
    };
  } catch {
    return null; // a malformed %-escape
  }
}

/** `bytes=a-b` or `bytes=a-` as hubwasm's inclusive `[start, end]`; anything else is the whole file. */
function byteRange(header) {
  const match = /^bytes=(\d+)-(\d*)$/.exec(header ?? "");
  if (!match) return undefined;
  const [start, end] = [Number(match[1]), match[2] === "" ? Number.MAX_SAFE_INTEGER : Number(match[2])];
  return Number.isSafeInteger(start) && Number.isSafeInteger(end) && start <= end ? [start, end] : undefined;
}

async function serveFile(request, env, { repo, revision, path }) {
  const range = byteRange(request.headers.get("range"));
  let file;
  try {
    file = await hubClient(env).downloadFile({ repo, path, revision, range, abortSignal: request.signal });
  } catch (error) {
    if (range && error instanceof InvalidInputError) {
      // Past the end: what an HTTP server answers.
      const size = (await hubClient(env).fileDownloadInfo({ repo, path, revision })).size;
      return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
    }
    throw error;
  }
  const headers = {
    "content-type": "application/octet-stream",
    "content-length": String(file.size),
    "accept-ranges": "bytes",
    etag: `"${file.etag}"`,
    "x-repo-commit": file.commit,
    "x-cache": file.fromCache ? "HIT" : "MISS",
  };
  if (range) headers["content-range"] = `bytes ${file.rangeStart}-${file.rangeStart + file.size - 1}/${file.fileSize}`;
  if (request.method === "HEAD") return new Response(null, { status: range ? 206 : 200, headers });
  // The body is read (and, whole, stored in the cache) as the client reads it. A FixedLengthStream
  // keeps the Content-Length (workerd sends other streams chunked); an error of the file's stream
  // (an IntegrityError, say) cuts the response short instead of completing it.
  const { readable, writable } = new FixedLengthStream(file.size);
  file.stream().pipeTo(writable).catch(() => {});
  return new Response(readable, { status: range ? 206 : 200, headers });
}

async function upload(request, env, { repo, revision, path }) {
  if (!env.UPLOAD_SECRET) return json({ error: "uploads are off: set the UPLOAD_SECRET secret" }, 403);
  if (request.headers.get("authorization") !== `Bearer ${env.UPLOAD_SECRET}`) {
    return json({ error: "this route needs Authorization: Bearer <UPLOAD_SECRET>" }, 401);
  }
  const result = await hubClient(env).uploadFile({
    repo,
    branch: revision,
    file: { path, content: request.body ?? new Uint8Array(0) },
    commitTitle: request.headers.get("x-commit-title") || `Upload ${path} from a Worker`,
    abortSignal: request.signal,
  });
  return json({ commit: result.commit }, 201);
}

/** A typed hubwasm error as JSON with its name and code, never a stack; the Hub's 4xx passed on. */
function errorResponse(error) {
  if (!(error instanceof HubError)) return json({ name: "Error", message: String(error?.message ?? error) }, 500);
  const status = error instanceof InvalidInputError ? 400 : error.status >= 400 && error.status < 500 ? error.status : 502;
  return json({ name: error.name, code: error.code, message: error.message }, status);
}
