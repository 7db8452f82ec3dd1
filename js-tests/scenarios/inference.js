// InferenceClient against localhub's router (issue #13), in every runtime. The shared checks
// (js-tests/lib/inference-checks.js) also run with @huggingface/inference as the referee
// (js-tests/peers/inference.js); the ones below are hubwasm's own: typed errors, bounded 503
// retries, the provider mapping read with the caller's token and fetch, provider keys.
import * as hubwasm from "hubwasm";
import { equal, ok, rejects, throws } from "../lib/assert.js";
import { addFault, clearFaults } from "../lib/faults.js";
import { expectedAnswer, inferenceChecks, judgedCall, uniquePrompt } from "../lib/inference-checks.js";
import { hub } from "../lib/scenario.js";

const { AbortError, HubError, InferenceClient, InferenceInputError, InvalidInputError, ProviderApiError, ProviderOutputError, RoutingError } =
  hubwasm;

/** The provider key localhub's test instance accepts (xtask/src/localhub.rs). */
const PROVIDER_KEY = "localhub-provider-key";

const client = (ctx, extra = {}) =>
  new InferenceClient({ accessToken: ctx.tokens.write, endpointUrl: ctx.hubUrl, maxRetries: 1, ...extra });

/** Through localhub as router and Hub: provider mappings are read from it. */
const routed = (ctx, extra = {}) =>
  new InferenceClient({ accessToken: ctx.tokens.write, hubUrl: ctx.hubUrl, routerUrl: ctx.hubUrl, maxRetries: 1, ...extra });

function recordingFetch() {
  const requests = [];
  const fetchFn = (url, init) => {
    requests.push({ url: String(url), method: init?.method ?? "GET", headers: { ...(init?.headers ?? {}) } });
    return globalThis.fetch(url, init);
  };
  return { fetchFn, requests };
}

/** A model repo on localhub (its name picks its built-in task); one already there is fine. */
async function ensureModel(ctx, name) {
  const response = await fetch(`${ctx.hubUrl}/api/repos/create`, {
    method: "POST",
    headers: { authorization: `Bearer ${ctx.tokens.write}`, "content-type": "application/json" },
    body: JSON.stringify({ name, organization: ctx.manifest.user, type: "model" }),
  });
  await response.body?.cancel();
  ok(response.status === 200 || response.status === 409, `creating ${name}: ${response.status}`);
  return `${ctx.manifest.user}/${name}`;
}

const messages = (prompt) => [{ role: "user", content: prompt }];

const shared = inferenceChecks("inference", (ctx) => client(hub(ctx))).map((check) => ({
  name: check.name,
  async run(context) {
    const result = (await check.run(hub(context))) ?? {};
    // hubwasm's own promise on top of the shared check: typed errors.
    if (check.name.includes("aborting")) ok(result.error instanceof AbortError, `an AbortError, got ${result.error}`);
    if (check.name.includes("inside the stream")) {
      ok(result.error instanceof ProviderOutputError && result.error instanceof HubError, `a ProviderOutputError, got ${result.error}`);
      ok(!String(result.error.message).includes("[object Object]"), "the message is text");
    }
    return result;
  },
}));

export default [
  ...shared,
  {
    name: "inference: 503 answers are retried a bounded number of times, then a ProviderApiError",
    async run(context) {
      const ctx = hub(context);
      await clearFaults(ctx);
      await addFault(ctx, { route: "/v1/chat/completions", kind: "error", status: 503, count: 50 });
      try {
        const error = await rejects(
          () => client(ctx, { maxRetries: 2 }).chatCompletion({ model: "localhub/echo-chat", messages: messages("hi") }),
          { instanceOf: ProviderApiError, status: 503, code: "PROVIDER_API" },
        );
        ok(error instanceof HubError, "a HubError");
        equal(error.request.headers.authorization, "Bearer [redacted]", "the token is redacted");
        ok(!JSON.stringify(error.request).includes(ctx.tokens.write), "the token appears nowhere");
        equal(error.response.status, 503, "response.status");
        const faults = await (await fetch(`${ctx.hubUrl}/admin/faults`, { headers: { authorization: `Bearer ${ctx.tokens.admin}` } })).json();
        equal(faults.find((f) => f.route === "/v1/chat/completions")?.count, 47, "three attempts reached localhub");
      } finally {
        await clearFaults(ctx);
      }
      // One 503, then the answer: the retry is invisible to the caller.
      await addFault(ctx, { route: "/v1/chat/completions", kind: "error", status: 503, count: 1 });
      try {
        const out = await client(ctx).chatCompletion({ model: "localhub/echo-chat", messages: messages("x y") });
        equal(out.choices[0].message.content, "You said: y x", "answered after a retry");
      } finally {
        await clearFaults(ctx);
      }
    },
  },
  {
    name: "inference: an explicit provider goes through the model's mapping, read with the caller's token and fetch",
    async run(context) {
      const ctx = hub(context);
      const model = await ensureModel(ctx, "echo-chat-inference");
      const { fetchFn, requests } = recordingFetch();
      const ai = routed(ctx, { provider: "together", fetch: fetchFn });
      const prompt = uniquePrompt("mapped call");
      const out = await ai.chatCompletion({ model, messages: messages(prompt) });
      equal(out.choices[0].message.content, expectedAnswer(prompt), "answered");
      equal(out.model, `${model}--together`, "the provider's own model id from the mapping");
      const lookup = requests.find((r) => r.url.includes("expand[]=inferenceProviderMapping") || r.url.includes("expand%5B%5D="));
      ok(lookup, `the mapping was read through the caller's fetch: ${requests.map((r) => r.url)}`);
      equal(lookup.headers.authorization, `Bearer ${ctx.tokens.write}`, "with the caller's token");
      equal(requests.at(-1).url, `${ctx.hubUrl}/together/v1/chat/completions`, "the router's provider route");
      await ai.chatCompletion({ model, messages: messages("again") });
      equal(requests.filter((r) => r.url.includes("inferenceProviderMapping")).length, 1, "the mapping is cached");
      const call = await judgedCall(ctx, prompt);
      equal(call.credential, "hf-token", "the router got the Hub token");

      // Provider auto for chat asks the router, with no Hub call.
      const auto = recordingFetch();
      await routed(ctx, { fetch: auto.fetchFn }).chatCompletion({ model, messages: messages("auto") });
      equal(auto.requests.length, 1, "one request");
      equal(auto.requests[0].url, `${ctx.hubUrl}/v1/chat/completions`, "the auto route");

      await rejects(() => ai.chatCompletion({ model, provider: "no-such-provider", messages: messages("x") }), { instanceOf: RoutingError, code: "ROUTING" });
      const classifier = await ensureModel(ctx, "sentiment-inference");
      await rejects(() => ai.chatCompletion({ model: classifier, messages: messages("x") }), { instanceOf: RoutingError }, "a model the provider does not serve for chat");
      const labels = await routed(ctx).textClassification({ model: classifier, inputs: "good great" });
      equal(labels[0].label, "POSITIVE", "auto picks the mapping entry that serves the task (hf-inference)");
    },
  },
  {
    name: "inference: a provider key goes to the provider's own URL, never to the router or the Hub",
    async run(context) {
      const ctx = hub(context);
      const model = await ensureModel(ctx, "echo-chat-inference");
      const { fetchFn, requests } = recordingFetch();
      const providerUrl = `${ctx.hubUrl}/providers/together`;
      const ai = new InferenceClient({
        accessToken: PROVIDER_KEY,
        provider: "together",
        hubUrl: ctx.hubUrl,
        routerUrl: ctx.hubUrl,
        providerUrls: { together: providerUrl },
        fetch: fetchFn,
      });
      const prompt = uniquePrompt("keyed call");
      const out = await ai.chatCompletion({ model, messages: messages(prompt) });
      equal(out.choices[0].message.content, expectedAnswer(prompt));
      const lookup = requests.find((r) => r.url.includes("inferenceProviderMapping"));
      equal(lookup?.headers.authorization, undefined, "the Hub does not see a provider key");
      equal(requests.at(-1).url, `${providerUrl}/v1/chat/completions`, "straight to the provider");
      equal(requests.at(-1).headers.authorization, `Bearer ${PROVIDER_KEY}`);
      equal((await judgedCall(ctx, prompt)).credential, "provider-key");
      await rejects(
        () => new InferenceClient({ accessToken: PROVIDER_KEY, routerUrl: ctx.hubUrl }).chatCompletion({ model, messages: messages("x") }),
        { instanceOf: RoutingError },
        "auto needs a Hugging Face token",
      );
    },
  },
  {
    name: "inference: wrong arguments are InferenceInputErrors, thrown or rejected at once",
    async run(context) {
      const ctx = hub(context);
      const ai = client(ctx);
      await rejects(() => ai.chatCompletion({ model: "m" }), { instanceOf: InferenceInputError, code: "INFERENCE_INPUT" }, "no messages");
      await rejects(() => ai.chatCompletion(null), { instanceOf: InvalidInputError }, "not an object");
      await rejects(() => ai.featureExtraction({ model: "m" }), { instanceOf: InferenceInputError }, "no inputs");
      await rejects(() => ai.automaticSpeechRecognition({ data: "not bytes" }), { instanceOf: InferenceInputError });
      await rejects(() => ai.chatCompletion({ messages: messages("x"), abortSignal: {} }), { instanceOf: InferenceInputError });
      await rejects(() => routed(ctx).textClassification({ inputs: "x" }), { instanceOf: InferenceInputError }, "no model");
      throws(() => ai.chatCompletionStream({ model: "m", messages: [] }), { instanceOf: InferenceInputError }, "a stream's arguments");
      throws(() => new InferenceClient({ endpointUrl: "ftp://x" }), { instanceOf: InferenceInputError });
      throws(() => new InferenceClient({ fetch: 7 }), { instanceOf: InferenceInputError });
      throws(() => new InferenceClient("hf_token"), { instanceOf: InferenceInputError });
      const circular = {};
      circular.self = circular;
      await rejects(() => ai.chatCompletion({ messages: messages("x"), extra: circular }), { instanceOf: InferenceInputError }, "not JSON");
      const aborted = AbortSignal.abort(new Error("no"));
      await rejects(() => ai.chatCompletion({ messages: messages("x"), abortSignal: aborted }), { instanceOf: AbortError });
    },
  },
  {
    name: "inference: generic request and streamingRequest",
    async run(context) {
      const ctx = hub(context);
      const ai = client(ctx);
      const labels = await ai.request({ endpointUrl: `${ctx.hubUrl}/hf-inference/models/demo/sentiment`, inputs: "bad awful" });
      equal(labels[0][0].label, "NEGATIVE", "the raw JSON answer");
      const prompt = uniquePrompt("raw stream");
      const chunks = [];
      for await (const chunk of ai.streamingRequest({ endpointUrl: ctx.hubUrl, task: "conversational", model: "m", messages: messages(prompt) })) {
        chunks.push(chunk);
      }
      equal(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join(""), expectedAnswer(prompt));
    },
  },
];
