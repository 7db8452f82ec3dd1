//! The TypeScript types of InferenceClient's options and results, checked by js-tests/types/usage.ts.
//! Shapes follow `@huggingface/inference` and the OpenAI chat API (hub-api.md §10.2).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const INFERENCE_TYPES: &str = r#"
export interface InferenceClientOptions {
  /** An `hf_…` token goes to the router (and the Hub, for provider mappings); any other key is a
   * provider's own and goes straight to that provider. */
  accessToken?: string;
  /** Default provider of every call: `"auto"` (default) or a provider name such as `"together"`. */
  provider?: string;
  /** Your own endpoint instead of the router; chat goes to `{endpointUrl}/v1/chat/completions`. */
  endpointUrl?: string;
  /** Where provider mappings come from; default `https://huggingface.co`. */
  hubUrl?: string;
  /** Default `https://router.huggingface.co`. */
  routerUrl?: string;
  /** Base URLs of providers for calls with a provider key, e.g. `{ together: "https://api.together.xyz" }`. */
  providerUrls?: Record<string, string>;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** An organisation to bill (`X-HF-Bill-To`). */
  billTo?: string;
  /** Retries after 429, 5xx or a network failure (default 5, at most 20), with backoff. */
  maxRetries?: number;
  /** How long a model's provider mapping is reused (default 5 minutes). */
  mappingTtlMs?: number;
}

/** The second argument of every call, as `@huggingface/inference` takes it. */
export interface InferenceCallOptions {
  signal?: AbortSignal;
  billTo?: string;
}

export interface InferenceCallArgs {
  model?: string;
  provider?: string;
  endpointUrl?: string;
  billTo?: string;
  abortSignal?: AbortSignal;
}

export interface ChatCompletionMessage {
  role: string;
  content?: string | Array<{ type: "text"; text: string } | { type: "image_url"; image_url: { url: string } }>;
  name?: string;
  tool_calls?: unknown[];
  tool_call_id?: string;
}

export interface ChatCompletionArgs extends InferenceCallArgs {
  messages: ChatCompletionMessage[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string | string[];
  stream_options?: { include_usage?: boolean };
  response_format?: unknown;
  tools?: unknown[];
  tool_choice?: unknown;
  [key: string]: unknown;
}

export interface ChatCompletionOutput {
  id: string;
  object: string;
  created: number;
  model: string;
  system_fingerprint?: string | null;
  choices: Array<{ index: number; message: { role: string; content: string | null; tool_calls?: unknown[] }; finish_reason: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ChatCompletionStreamOutput {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{ index: number; delta: { role?: string; content?: string | null; tool_calls?: unknown[] }; finish_reason: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface TextGenerationArgs extends InferenceCallArgs {
  inputs: string;
  parameters?: { max_new_tokens?: number; temperature?: number; [key: string]: unknown };
}

/** A completion chunk (`choices[].text`) or a TGI chunk (`token.text`). */
export interface TextGenerationStreamOutput {
  choices?: Array<{ index: number; text: string; finish_reason: string | null }>;
  token?: { id: number; text: string; logprob: number; special: boolean };
  [key: string]: unknown;
}

export interface TaskArgs<I> extends InferenceCallArgs {
  inputs: I;
  parameters?: Record<string, unknown>;
}

export interface BinaryTaskArgs extends InferenceCallArgs {
  /** The audio or image bytes (`inputs` is accepted too). */
  data?: Blob | ArrayBuffer | ArrayBufferView;
  inputs?: Blob | ArrayBuffer | ArrayBufferView;
}

export type ClassificationOutput = Array<{ label: string; score: number }>;

export interface RequestArgs extends InferenceCallArgs {
  /** The task whose route to call (default `text-classification`, i.e. `models/{model}` on hf-inference). */
  task?: string;
  data?: Blob | ArrayBuffer | ArrayBufferView;
  [key: string]: unknown;
}

/** The chunks of a streamed answer; `break` (or `return()`) and the signal cancel the request. */
export interface InferenceAsyncIterator<T> extends AsyncIterableIterator<T> {
  return(value?: unknown): Promise<IteratorResult<T>>;
}
"#;
