//! Where an inference call goes (hub-api.md §10.1, §10.4, §10.5).
//!
//! - With a Hugging Face token (`hf_…`), or no token, calls go through the router:
//!   `{router}/{provider}/{route}`; provider `auto` for chat is `{router}/v1/chat/completions` with
//!   the Hub's model id, and the router picks the provider (it needs an `hf_` token).
//! - With any other key (a provider's own key), calls go straight to the provider's base URL
//!   (overridable) with that key; the router never sees it.
//! - An `endpointUrl` replaces all of that: chat goes to `{endpointUrl}/v1/chat/completions`.

use alloc::format;
use alloc::string::String;
use core::fmt;

/// The router everyone means by default.
pub const DEFAULT_ROUTER_URL: &str = "https://router.huggingface.co";

/// One provider of `@huggingface/inference` 4.13 (hub-api.md §10.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provider {
    pub name: &'static str,
    /// Its own base URL, used with a provider key.
    pub base_url: &'static str,
    /// Its OpenAI-compatible chat route; `None` for providers without chat.
    pub chat_route: Option<&'static str>,
    /// Its completions route (text generation).
    pub completion_route: Option<&'static str>,
}

const fn p(
    name: &'static str,
    base_url: &'static str,
    chat: Option<&'static str>,
    completion: Option<&'static str>,
) -> Provider {
    Provider { name, base_url, chat_route: chat, completion_route: completion }
}

const CHAT: Option<&str> = Some("v1/chat/completions");
const COMPLETIONS: Option<&str> = Some("v1/completions");

/// The providers, by name (hub-api.md §10.5). `hf-inference`'s routes depend on the model and
/// are built by [`request_url`].
pub const PROVIDERS: &[Provider] = &[
    p("baseten", "https://inference.baseten.co", CHAT, COMPLETIONS),
    p("cerebras", "https://api.cerebras.ai", CHAT, COMPLETIONS),
    p("cohere", "https://api.cohere.com", Some("compatibility/v1/chat/completions"), None),
    p("deepinfra", "https://api.deepinfra.com", Some("v1/openai/chat/completions"), Some("v1/openai/completions")),
    p("fal-ai", "https://fal.run", None, None),
    p("featherless-ai", "https://api.featherless.ai", CHAT, COMPLETIONS),
    p("fireworks-ai", "https://api.fireworks.ai", Some("inference/v1/chat/completions"), None),
    p("groq", "https://api.groq.com", Some("openai/v1/chat/completions"), Some("openai/v1/chat/completions")),
    p("hf-inference", "https://router.huggingface.co/hf-inference", None, None),
    p("novita", "https://api.novita.ai", Some("v3/openai/chat/completions"), Some("v3/openai/chat/completions")),
    p("nscale", "https://inference.api.nscale.com", CHAT, None),
    p("openai", "https://api.openai.com", CHAT, None),
    p("ovhcloud", "https://oai.endpoints.kepler.ai.cloud.ovh.net", CHAT, COMPLETIONS),
    p("publicai", "https://api.publicai.co", CHAT, None),
    p("replicate", "https://api.replicate.com", None, None),
    p("scaleway", "https://api.scaleway.ai", CHAT, COMPLETIONS),
    p("together", "https://api.together.xyz", CHAT, COMPLETIONS),
    p("wavespeed", "https://api.wavespeed.ai", None, None),
    p("zai-org", "https://api.z.ai", Some("api/paas/v4/chat/completions"), None),
];

/// The provider called `name`.
pub fn provider(name: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().find(|p| p.name == name)
}

/// What kind of credential the caller holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A Hugging Face token (`hf_…`): through the router.
    HfToken,
    /// Any other key: a provider's own, straight to the provider.
    ProviderKey,
    /// No token.
    None,
}

impl Credential {
    /// As `@huggingface/inference` tells them apart: by the `hf_` prefix.
    pub fn of(token: Option<&str>) -> Self {
        match token {
            None | Some("") => Credential::None,
            Some(t) if t.starts_with("hf_") => Credential::HfToken,
            Some(_) => Credential::ProviderKey,
        }
    }
}

/// The tasks whose answers are OpenAI-style.
pub const CONVERSATIONAL: &str = "conversational";
pub const TEXT_GENERATION: &str = "text-generation";

/// Why a call cannot be routed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoutingError {
    /// No provider of that name.
    UnknownProvider(String),
    /// The provider has no route for the task here.
    UnsupportedTask { provider: String, task: String },
    /// Provider `auto` without a Hugging Face token: only the router can pick a provider.
    AutoNeedsHfToken,
    /// `openai` serves only calls with its own key.
    ProviderNeedsOwnKey(String),
}

impl fmt::Display for RoutingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoutingError::UnknownProvider(name) => write!(f, "no inference provider is called {name:?}"),
            RoutingError::UnsupportedTask { provider, task } => {
                write!(f, "provider {provider:?} has no {task} route")
            }
            RoutingError::AutoNeedsHfToken => {
                f.write_str("provider \"auto\" goes through the Hugging Face router, which needs an hf_ token")
            }
            RoutingError::ProviderNeedsOwnKey(name) => {
                write!(f, "provider {name:?} is only reachable with its own API key, not a Hugging Face token")
            }
        }
    }
}

impl core::error::Error for RoutingError {}

/// Everything [`request_url`] decides on.
#[derive(Clone, Copy, Debug)]
pub struct RouteRequest<'a> {
    /// The router's base URL, without a trailing `/`.
    pub router_url: &'a str,
    /// The caller's own endpoint, replacing the routing.
    pub endpoint_url: Option<&'a str>,
    /// A provider name, or `auto` (only meaningful for chat; other tasks resolve it from the
    /// mapping first).
    pub provider: &'a str,
    /// Replaces the provider's base URL (for provider-key calls).
    pub provider_url: Option<&'a str>,
    pub task: &'a str,
    /// The model as the provider knows it (the mapping's `providerId`, or the Hub id for `auto`
    /// and `hf-inference`).
    pub model: &'a str,
    pub credential: Credential,
}

/// The URL of a call.
pub fn request_url(r: &RouteRequest<'_>) -> Result<String, RoutingError> {
    if let Some(endpoint) = r.endpoint_url {
        return Ok(openai_suffix(endpoint.trim_end_matches('/'), r.task));
    }
    if r.provider == "auto" {
        return match (r.task, r.credential) {
            (CONVERSATIONAL, Credential::HfToken) => Ok(format!("{}/v1/chat/completions", r.router_url)),
            (CONVERSATIONAL, _) => Err(RoutingError::AutoNeedsHfToken),
            // Other tasks must be resolved to a provider through the mapping first.
            (task, _) => Err(RoutingError::UnsupportedTask { provider: "auto".into(), task: task.into() }),
        };
    }
    let provider = provider(r.provider).ok_or_else(|| RoutingError::UnknownProvider(r.provider.into()))?;
    if provider.name == "openai" && r.credential != Credential::ProviderKey {
        return Err(RoutingError::ProviderNeedsOwnKey(provider.name.into()));
    }
    let base = match r.credential {
        Credential::ProviderKey => String::from(r.provider_url.unwrap_or(provider.base_url).trim_end_matches('/')),
        _ => format!("{}/{}", r.router_url, provider.name),
    };
    if provider.name == "hf-inference" {
        let model = format!("{base}/models/{}", r.model);
        return Ok(match r.task {
            CONVERSATIONAL | TEXT_GENERATION => openai_suffix(&model, r.task),
            "feature-extraction" | "sentence-similarity" => format!("{model}/pipeline/{}", r.task),
            _ => model,
        });
    }
    let route = match r.task {
        CONVERSATIONAL => provider.chat_route,
        TEXT_GENERATION => provider.completion_route,
        _ => None,
    };
    let route =
        route.ok_or_else(|| RoutingError::UnsupportedTask { provider: r.provider.into(), task: r.task.into() })?;
    Ok(format!("{base}/{route}"))
}

/// `…/v1/chat/completions` or `…/v1/completions` added to an OpenAI-style base, as
/// `@huggingface/inference` does for endpoints (kept when already there, `/v1` completed).
fn openai_suffix(base: &str, task: &str) -> String {
    let tail = match task {
        CONVERSATIONAL => "chat/completions",
        TEXT_GENERATION => "completions",
        _ => return String::from(base),
    };
    if base.ends_with(&format!("/{tail}")) {
        String::from(base)
    } else if base.ends_with("/v1") {
        format!("{base}/{tail}")
    } else {
        format!("{base}/v1/{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route<'a>(provider: &'a str, task: &'a str, credential: Credential) -> RouteRequest<'a> {
        RouteRequest {
            router_url: DEFAULT_ROUTER_URL,
            endpoint_url: None,
            provider,
            provider_url: None,
            task,
            model: "org/model",
            credential,
        }
    }

    // hub-api.md §10.1, §10.4 and §10.5's table.
    #[test]
    fn urls_follow_the_spec_table() {
        let cases = [
            (route("auto", CONVERSATIONAL, Credential::HfToken), "https://router.huggingface.co/v1/chat/completions"),
            (
                route("together", CONVERSATIONAL, Credential::HfToken),
                "https://router.huggingface.co/together/v1/chat/completions",
            ),
            (
                route("together", CONVERSATIONAL, Credential::ProviderKey),
                "https://api.together.xyz/v1/chat/completions",
            ),
            (route("groq", CONVERSATIONAL, Credential::ProviderKey), "https://api.groq.com/openai/v1/chat/completions"),
            (
                route("fireworks-ai", CONVERSATIONAL, Credential::HfToken),
                "https://router.huggingface.co/fireworks-ai/inference/v1/chat/completions",
            ),
            (
                route("zai-org", CONVERSATIONAL, Credential::ProviderKey),
                "https://api.z.ai/api/paas/v4/chat/completions",
            ),
            (
                route("deepinfra", TEXT_GENERATION, Credential::ProviderKey),
                "https://api.deepinfra.com/v1/openai/completions",
            ),
            (
                route("hf-inference", CONVERSATIONAL, Credential::HfToken),
                "https://router.huggingface.co/hf-inference/models/org/model/v1/chat/completions",
            ),
            (
                route("hf-inference", TEXT_GENERATION, Credential::None),
                "https://router.huggingface.co/hf-inference/models/org/model/v1/completions",
            ),
            (
                route("hf-inference", "feature-extraction", Credential::HfToken),
                "https://router.huggingface.co/hf-inference/models/org/model/pipeline/feature-extraction",
            ),
            (
                route("hf-inference", "text-classification", Credential::HfToken),
                "https://router.huggingface.co/hf-inference/models/org/model",
            ),
            (route("openai", CONVERSATIONAL, Credential::ProviderKey), "https://api.openai.com/v1/chat/completions"),
        ];
        for (request, url) in cases {
            assert_eq!(request_url(&request).as_deref(), Ok(url), "{request:?}");
        }
    }

    #[test]
    fn endpoints_and_base_urls_are_configurable() {
        let mut r = route("auto", CONVERSATIONAL, Credential::HfToken);
        r.router_url = "http://127.0.0.1:9";
        assert_eq!(request_url(&r).unwrap(), "http://127.0.0.1:9/v1/chat/completions");
        for (endpoint, url) in [
            ("http://e/", "http://e/v1/chat/completions"),
            ("http://e/v1", "http://e/v1/chat/completions"),
            ("http://e/x/v1/chat/completions", "http://e/x/v1/chat/completions"),
        ] {
            r.endpoint_url = Some(endpoint);
            assert_eq!(request_url(&r).unwrap(), url);
        }
        r.task = "text-to-image";
        r.endpoint_url = Some("http://e/models/x");
        assert_eq!(request_url(&r).unwrap(), "http://e/models/x");
        let mut r = route("together", CONVERSATIONAL, Credential::ProviderKey);
        r.provider_url = Some("http://127.0.0.1:9/");
        assert_eq!(request_url(&r).unwrap(), "http://127.0.0.1:9/v1/chat/completions", "the key goes to the provider");
        r.credential = Credential::HfToken;
        assert_eq!(request_url(&r).unwrap(), "https://router.huggingface.co/together/v1/chat/completions");
    }

    #[test]
    fn unroutable_calls_are_typed() {
        assert_eq!(
            request_url(&route("auto", CONVERSATIONAL, Credential::ProviderKey)),
            Err(RoutingError::AutoNeedsHfToken)
        );
        assert_eq!(request_url(&route("auto", CONVERSATIONAL, Credential::None)), Err(RoutingError::AutoNeedsHfToken));
        assert_eq!(
            request_url(&route("nope", CONVERSATIONAL, Credential::HfToken)),
            Err(RoutingError::UnknownProvider("nope".into()))
        );
        assert!(matches!(
            request_url(&route("fal-ai", CONVERSATIONAL, Credential::HfToken)),
            Err(RoutingError::UnsupportedTask { .. })
        ));
        assert!(matches!(
            request_url(&route("openai", CONVERSATIONAL, Credential::HfToken)),
            Err(RoutingError::ProviderNeedsOwnKey(_))
        ));
        assert_eq!(Credential::of(Some("hf_abc")), Credential::HfToken);
        assert_eq!(Credential::of(Some("sk-abc")), Credential::ProviderKey);
        assert_eq!(Credential::of(Some("")), Credential::None);
    }
}
