// Runs the chat example against the localhub `cargo xtask test` seeds: the answer of localhub's
// built-in model ("You said: " and the words reversed), received token by token.
import { chat } from "./chat.js";

const manifestPath = Deno.env.get("HUBWASM_TEST_HUB");

Deno.test("examples/deno/chat.js streams localhub's answer token by token", async () => {
  if (!manifestPath) throw new Error("no localhub: run through `cargo xtask test` (it sets HUBWASM_TEST_HUB)");
  const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
  const tokens = [];
  const text = await chat({
    accessToken: manifest.tokens.read,
    endpointUrl: manifest.hubUrl,
    model: "localhub/echo-chat",
    prompt: "streams from Deno",
    onToken: (t) => tokens.push(t),
  });
  if (text !== "You said: Deno from streams") throw new Error(`answer ${JSON.stringify(text)}`);
  if (tokens.length !== 5) throw new Error(`${tokens.length} tokens: ${JSON.stringify(tokens)}`);
});
