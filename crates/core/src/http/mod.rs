//! HTTP pieces both sides of the Hub protocols share, as pure functions: `Range` and
//! `Content-Range`, `multipart/byteranges`, the retry policy and `Link` pagination.

pub mod link;
pub mod multipart;
pub mod range;
pub mod retry;
