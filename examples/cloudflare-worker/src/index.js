// A Cloudflare Worker that streams a chat completion to its client as Server-Sent Events:
//
//   GET /?prompt=Hello  →  text/event-stream: `data: {"token":"…"}` per token, then `data: [DONE]`
//
// Each token is written as soon as its bytes arrive from the router (the stream is pulled: nothing
// is buffered ahead of the client), and a client that goes away cancels the upstream request at
// once (the ReadableStream's cancel() ends the iterator, which aborts its fetch).
import { InferenceClient } from "hubwasm";

const encoder = new TextEncoder();
const event = (data) => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
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
