// The inference checks that hold for any client with @huggingface/inference's method names,
// run by js-tests/scenarios/inference.js (hubwasm, in every runtime) and by the referee
// js-tests/peers/inference.js (@huggingface/inference itself, in Node). localhub is the judge:
// its built-in model answers "You said: " and the prompt's words reversed; it paces tokens by a
// prompt's `[[delay:N]]` and logs every call on /admin/inference (`cancelled` when the client
// went away in the middle of a stream).
import { equal, ok } from "./assert.js";

/** A prompt no other run uses, so the judge's log can be searched for it. */
export function uniquePrompt(words) {
  return `${words} n${Math.random().toString(36).slice(2, 10)}`;
}

/** The expected answer of localhub's built-in model (a fact of localhub, not of the client). */
export function expectedAnswer(prompt) {
  return ["You said:", ...prompt.split(/\s+/).filter(Boolean).reverse()].join(" ");
}

/** localhub's log entry of the latest call with `prompt`, as it stands now. */
export async function loggedCall(ctx, prompt) {
  const response = await fetch(`${ctx.hubUrl}/admin/inference`, { headers: { authorization: `Bearer ${ctx.tokens.admin}` } });
  equal(response.status, 200, "GET /admin/inference");
  const log = await response.json();
  return log.calls.filter((c) => c.prompt === prompt).at(-1);
}

/** localhub's log entry of the call with `prompt`, once it is no longer streaming (or after 20 s). */
export async function judgedCall(ctx, prompt) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const call = await loggedCall(ctx, prompt);
    if ((call && call.outcome !== "streaming") || Date.now() > deadline) return call;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const messages = (prompt) => [{ role: "user", content: prompt }];
const hf = (ctx, path) => `${ctx.hubUrl}/hf-inference/models/${path}`;

/**
 * `client(ctx)` is a client whose chat goes to localhub's router root (endpointUrl).
 * `cancelsOnBreak: false` is for @huggingface/inference 4.13.30, whose stream keeps reading the
 * upstream body after a `break`: there localhub must see the stream `completed`, which also shows
 * that its `cancelled` verdict is not given to every stream.
 */
export function inferenceChecks(label, client, { cancelsOnBreak = true } = {}) {
  return [
    {
      name: `${label}: streamed and non-streamed chat give the same text`,
      async run(ctx) {
        const prompt = uniquePrompt("alpha beta gamma");
        const ai = client(ctx);
        const whole = await ai.chatCompletion({ model: "localhub/echo-chat", messages: messages(prompt) });
        equal(whole.choices[0].message.content, expectedAnswer(prompt), "non-streamed");
        let text = "";
        let finish = null;
        for await (const chunk of ai.chatCompletionStream({ model: "localhub/echo-chat", messages: messages(prompt) })) {
          text += chunk.choices[0]?.delta?.content ?? "";
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
        equal(text, whole.choices[0].message.content, "streamed text");
        equal(finish, "stop", "finish reason");
      },
    },
    {
      name: `${label}: the first chunk arrives while localhub is still sending (tokens are passed on as they come)`,
      async run(ctx) {
        // localhub waits 150 ms between tokens, so it streams for about 2 s. A client that buffered
        // the stream would hand out its first chunk only after localhub finished: ask localhub, at
        // the first chunk, where it stands. No clock is compared, so a loaded machine cannot fail it.
        const prompt = uniquePrompt("[[delay:150]] one two three four five six seven eight nine ten");
        let atFirst;
        let chunks = 0;
        for await (const chunk of client(ctx).chatCompletionStream({ model: "localhub/echo-chat", messages: messages(prompt) })) {
          if (!chunk.choices[0]?.delta?.content) continue;
          chunks += 1;
          atFirst ??= await loggedCall(ctx, prompt);
        }
        ok(chunks >= 8, `${chunks} content chunks`);
        ok(atFirst, "localhub logged the call");
        equal(atFirst.outcome, "streaming", "localhub was still streaming when the first chunk arrived");
        ok(atFirst.tokensSent < atFirst.tokensTotal, `${atFirst.tokensSent} of ${atFirst.tokensTotal} tokens sent by then`);
        return { notes: [`${chunks} chunks; at the first, localhub had sent ${atFirst.tokensSent} of ${atFirst.tokensTotal}`] };
      },
    },
    {
      name: `${label}: break out of the stream stops the server-side stream`,
      async run(ctx) {
        const prompt = uniquePrompt("[[delay:100]] a b c d e f g h i j k l");
        let seen = 0;
        for await (const chunk of client(ctx).chatCompletionStream({ model: "localhub/echo-chat", messages: messages(prompt) })) {
          seen += chunk.choices.length;
          break;
        }
        equal(seen, 1, "one chunk read");
        const call = await judgedCall(ctx, prompt);
        ok(call, "localhub saw the call");
        if (!cancelsOnBreak) {
          equal(call.outcome, "completed", "the client read the stream to its end after the break");
          return { notes: ["this client does not cancel the upstream body on break; localhub saw it read to the end"] };
        }
        equal(call.outcome, "cancelled", "localhub saw the client go away");
        ok(call.tokensSent < call.tokensTotal, `stopped after ${call.tokensSent} of ${call.tokensTotal} tokens`);
      },
    },
    {
      name: `${label}: aborting the signal stops the server-side stream`,
      async run(ctx) {
        const prompt = uniquePrompt("[[delay:100]] a b c d e f g h i j k l");
        const controller = new AbortController();
        let error;
        let seen = 0;
        try {
          for await (const _chunk of client(ctx).chatCompletionStream(
            { model: "localhub/echo-chat", messages: messages(prompt) },
            { signal: controller.signal },
          )) {
            seen += 1;
            if (seen === 1) controller.abort(new Error("enough"));
          }
        } catch (e) {
          error = e;
        }
        ok(error, "the loop ends with an error");
        ok(seen <= 2, `${seen} chunks before the abort took effect`);
        const call = await judgedCall(ctx, prompt);
        equal(call?.outcome, "cancelled", "localhub saw the client go away");
        return { error };
      },
    },
    {
      name: `${label}: an error inside the stream is raised with its message`,
      async run(ctx) {
        let error;
        try {
          for await (const _ of client(ctx).chatCompletionStream({ model: "localhub/echo-chat", messages: messages("[[stream-error]] x") })) {
            // drain
          }
        } catch (e) {
          error = e;
        }
        ok(error && String(error.message).includes("Injected generation failure"), `raised: ${error}`);
        return { error };
      },
    },
    {
      name: `${label}: the non-chat tasks round-trip`,
      async run(ctx) {
        const ai = client(ctx);
        const vector = await ai.featureExtraction({ endpointUrl: hf(ctx, "demo/embedder/pipeline/feature-extraction"), inputs: "hello" });
        equal(vector.length, 8, "embedding size");
        ok(Math.abs(vector.reduce((s, x) => s + x * x, 0) - 1) < 1e-9, "a unit vector");
        const two = await ai.featureExtraction({ endpointUrl: hf(ctx, "demo/embedder/pipeline/feature-extraction"), inputs: ["a", "b"] });
        equal(two.length, 2, "one vector per input");
        const labels = await ai.textClassification({ endpointUrl: hf(ctx, "demo/sentiment"), inputs: "I love it, great" });
        equal(labels[0].label, "POSITIVE", "classification");
        const image = await ai.textToImage({ endpointUrl: hf(ctx, "demo/painter"), inputs: "a cat" });
        ok(image instanceof Blob, "a Blob");
        const png = new Uint8Array(await image.arrayBuffer());
        equal([...png.subarray(0, 4)].join(","), "137,80,78,71", "PNG magic");
        const kinds = await ai.imageClassification({ endpointUrl: hf(ctx, "demo/image-classifier"), data: image });
        equal(kinds[0].label, "png image", "the image goes back as bytes");
        const heard = await ai.automaticSpeechRecognition({ endpointUrl: hf(ctx, "demo/whisper"), data: new Blob(["hello audio"]) });
        equal(heard.text, "hello audio", "speech recognition");
        const prompt = uniquePrompt("the end");
        const generated = await ai.textGeneration({ endpointUrl: hf(ctx, "demo/gpt2"), inputs: prompt });
        equal(generated.generated_text, expectedAnswer(prompt), "text generation");
        let streamed = "";
        for await (const chunk of ai.textGenerationStream({ endpointUrl: hf(ctx, "demo/gpt2"), inputs: prompt })) {
          streamed += chunk.choices?.[0]?.text ?? chunk.token?.text ?? "";
        }
        equal(streamed, expectedAnswer(prompt), "streamed text generation");
      },
    },
  ];
}
