// Streams a chat completion to the terminal with hubwasm in Deno, token by token as they arrive:
//
//   deno run --allow-read --allow-net --allow-env chat.js MODEL "your question"
//
// HF_TOKEN is an hf_ token (through the Hugging Face router) or a provider's own key (with
// HF_PROVIDER set, straight to that provider); HF_INFERENCE_ENDPOINT sends it to your own
// OpenAI-compatible endpoint instead. Ctrl-C aborts the request at once.
import { InferenceClient } from "hubwasm";

/** Streams the answer to `prompt`; `onToken` sees each piece of text as it arrives. */
export async function chat({ accessToken, endpointUrl, provider, model, prompt, onToken, signal }) {
  const ai = new InferenceClient({ accessToken, endpointUrl, provider });
  let text = "";
  for await (const chunk of ai.chatCompletionStream({ model, messages: [{ role: "user", content: prompt }], abortSignal: signal })) {
    const token = chunk.choices[0]?.delta?.content ?? "";
    text += token;
    if (token) onToken?.(token);
  }
  return text;
}

if (import.meta.main) {
  const [model, ...words] = Deno.args;
  if (!model || words.length === 0) {
    console.error('usage: deno run --allow-read --allow-net --allow-env chat.js MODEL "your question"');
    Deno.exit(2);
  }
  const controller = new AbortController();
  Deno.addSignalListener("SIGINT", () => controller.abort(new Error("interrupted")));
  const encoder = new TextEncoder();
  await chat({
    accessToken: Deno.env.get("HF_TOKEN"),
    endpointUrl: Deno.env.get("HF_INFERENCE_ENDPOINT") || undefined,
    provider: Deno.env.get("HF_PROVIDER") || undefined,
    model,
    prompt: words.join(" "),
    onToken: (token) => Deno.stdout.writeSync(encoder.encode(token)),
    signal: controller.signal,
  });
  console.log();
}
