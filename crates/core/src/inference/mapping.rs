//! The model → provider mapping (hub-api.md §10.3): `GET {hub}/api/models/{id}?expand[]=
//! inferenceProviderMapping` answers an object keyed by provider in the user's preference order
//! (model listings answer an array). Both read into one list, in order.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// One provider serving the model.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderMapping {
    /// Set from the object's key (or the array entry's `provider`).
    #[serde(default)]
    pub provider: String,
    /// The model's id at the provider.
    pub provider_id: String,
    /// `live`, `staging` or `error`.
    #[serde(default)]
    pub status: String,
    /// The widget task name, e.g. `conversational`.
    pub task: String,
    #[serde(default)]
    pub adapter: Option<String>,
    #[serde(default)]
    pub adapter_weights_path: Option<String>,
}

/// Why a mapping answer cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MappingError {
    /// Not the JSON of a model info answer.
    Malformed(String),
    /// The model has no `inferenceProviderMapping` (no provider serves it).
    NoMapping,
    /// No entry for the provider asked for.
    ProviderNotServing { provider: String },
    /// The entry's task is not the call's.
    WrongTask { provider: String, mapped: String, asked: String },
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MappingError::Malformed(why) => write!(f, "the provider mapping answer is malformed: {why}"),
            MappingError::NoMapping => f.write_str("no inference provider serves this model"),
            MappingError::ProviderNotServing { provider } => {
                write!(f, "provider {provider:?} does not serve this model")
            }
            MappingError::WrongTask { provider, mapped, asked } => {
                write!(f, "provider {provider:?} serves this model for {mapped}, not {asked}")
            }
        }
    }
}

impl core::error::Error for MappingError {}

/// A JSON object read as `(key, value)` pairs in document order (serde_json's map would sort them).
struct Ordered(Vec<ProviderMapping>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object keyed by provider, or an array of mappings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((provider, mut entry)) = map.next_entry::<String, ProviderMapping>()? {
                    entry.provider = provider;
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = seq.next_element::<ProviderMapping>()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The mapping of a model info answer, in the Hub's order.
pub fn parse_model_mapping(body: &[u8]) -> Result<Vec<ProviderMapping>, MappingError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Info {
        inference_provider_mapping: Option<Ordered>,
    }
    let info: Info = serde_json::from_slice(body).map_err(|e| MappingError::Malformed(format!("{e}")))?;
    match info.inference_provider_mapping {
        Some(Ordered(list)) if !list.is_empty() => Ok(list),
        _ => Err(MappingError::NoMapping),
    }
}

/// Whether a mapping for `mapped` serves a call for `asked` (hf-inference serves
/// feature-extraction and sentence-similarity with the same model).
fn task_fits(provider: &str, mapped: &str, asked: &str) -> bool {
    const EQUIVALENT: [&str; 2] = ["feature-extraction", "sentence-similarity"];
    mapped == asked || (provider == "hf-inference" && EQUIVALENT.contains(&mapped) && EQUIVALENT.contains(&asked))
}

/// The entry that serves a call: the named provider's, or for `auto` the first whose task fits.
pub fn choose<'m>(
    mappings: &'m [ProviderMapping],
    provider: &str,
    task: &str,
) -> Result<&'m ProviderMapping, MappingError> {
    if provider == "auto" {
        return mappings.iter().find(|m| task_fits(&m.provider, &m.task, task)).ok_or(MappingError::NoMapping);
    }
    let entry = mappings
        .iter()
        .find(|m| m.provider == provider)
        .ok_or_else(|| MappingError::ProviderNotServing { provider: provider.into() })?;
    if !task_fits(provider, &entry.task, task) {
        return Err(MappingError::WrongTask {
            provider: provider.into(),
            mapped: entry.task.clone(),
            asked: task.into(),
        });
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shape of hub-api.md §10.3, keys deliberately not in alphabetical order.
    const INFO: &[u8] = br#"{"_id":"x","id":"org/m","inferenceProviderMapping":{
        "together":{"status":"live","providerId":"org/M-Turbo","task":"conversational","isModelAuthor":false},
        "hf-inference":{"status":"staging","providerId":"org/m","task":"feature-extraction"},
        "cohere":{"status":"error","providerId":"c-m","task":"conversational","adapter":"lora","adapterWeightsPath":"w.safetensors","type":"single-model"}}}"#;

    #[test]
    fn the_object_form_keeps_the_hubs_order() {
        let list = parse_model_mapping(INFO).unwrap();
        let names: Vec<&str> = list.iter().map(|m| m.provider.as_str()).collect();
        assert_eq!(names, ["together", "hf-inference", "cohere"]);
        assert_eq!(list[0].provider_id, "org/M-Turbo");
        assert_eq!(list[2].adapter.as_deref(), Some("lora"));
        assert_eq!(list[2].adapter_weights_path.as_deref(), Some("w.safetensors"));
    }

    #[test]
    fn the_array_form_of_listings() {
        let body = br#"{"inferenceProviderMapping":[{"provider":"groq","providerId":"g","status":"live","task":"conversational"}]}"#;
        assert_eq!(parse_model_mapping(body).unwrap()[0].provider, "groq");
        assert_eq!(parse_model_mapping(br#"{"id":"a"}"#), Err(MappingError::NoMapping));
        assert_eq!(parse_model_mapping(br#"{"inferenceProviderMapping":{}}"#), Err(MappingError::NoMapping));
        assert!(matches!(parse_model_mapping(b"[1]"), Err(MappingError::Malformed(_))));
        assert!(matches!(
            parse_model_mapping(br#"{"inferenceProviderMapping":{"a":{"task":1}}}"#),
            Err(MappingError::Malformed(_))
        ));
    }

    #[test]
    fn choosing_an_entry() {
        let list = parse_model_mapping(INFO).unwrap();
        assert_eq!(choose(&list, "auto", "conversational").unwrap().provider, "together");
        assert_eq!(choose(&list, "auto", "sentence-similarity").unwrap().provider, "hf-inference");
        assert_eq!(choose(&list, "cohere", "conversational").unwrap().provider_id, "c-m");
        assert_eq!(
            choose(&list, "together", "text-to-image"),
            Err(MappingError::WrongTask {
                provider: "together".into(),
                mapped: "conversational".into(),
                asked: "text-to-image".into()
            })
        );
        assert_eq!(
            choose(&list, "groq", "conversational"),
            Err(MappingError::ProviderNotServing { provider: "groq".into() })
        );
        assert_eq!(choose(&list, "auto", "text-to-image"), Err(MappingError::NoMapping));
    }
}
