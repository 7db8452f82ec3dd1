//! The inference protocol without I/O (hub-api.md §10): where a call goes and with which
//! credential, which provider serves a model, and what a provider's answers mean.
//!
//! - [`routing`]: the providers' base URLs and routes, the router's, and which token goes where
//!   (a Hugging Face token to the router, a provider key to the provider's own URL);
//! - [`mapping`]: the model → provider mapping of the Hub's model info
//!   (`expand[]=inferenceProviderMapping`), in the Hub's order, and the choice of one entry;
//! - [`stream`]: the events of a streamed answer (`[DONE]`, chunks, in-stream `{"error": …}`)
//!   and the shapes of chat-completion chunks and answers;
//! - [`tasks`]: the non-streamed answers of each task, checked and normalised.
//!
//! Retries of 429 and 5xx answers use [`crate::http::retry::RetryPolicy`], as every other request.

pub mod mapping;
pub mod routing;
pub mod stream;
pub mod tasks;
