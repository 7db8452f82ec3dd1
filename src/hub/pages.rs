//! Paginated listings: each page is one GET, the next page's URL comes from the answer's `Link`
//! header (`rel="next"`, parsed by hubwasm-core), and JS sees an async iterator (pages.js).

use std::cell::RefCell;
use std::rc::Rc;

use hubwasm_core::api::TreeEntry;
use hubwasm_core::http::link::parse_next_link;
use js_sys::Promise;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortSignal, Url};

use crate::error::Error;
use crate::http::{Request, Transport};
use crate::js::convert::to_js;

#[wasm_bindgen(module = "/src/hub/pages.js")]
extern "C" {
    #[wasm_bindgen(js_name = pagedIterator)]
    fn paged_iterator(reader: PageReader) -> JsValue;
}

/// How a page's items are read.
#[derive(Clone, Copy)]
pub(crate) enum Items {
    /// Tree entries, read into hubwasm-core's type (one shape whatever the Hub adds).
    TreeEntries,
    /// The Hub's JSON objects as they are.
    Json,
}

/// A listing to iterate: its first page's URL and how to read it.
pub(crate) struct Listing {
    pub(crate) first_url: String,
    pub(crate) items: Items,
    /// Stop after this many items.
    pub(crate) limit: Option<u64>,
    pub(crate) signal: Option<AbortSignal>,
    pub(crate) repo_route: bool,
}

/// The Rust half of the iterator; users never hold it (pages.js does).
#[wasm_bindgen(skip_typescript)]
pub struct PageReader {
    state: Rc<RefCell<State>>,
}

struct State {
    transport: Rc<Transport>,
    next_url: Option<String>,
    items: Items,
    remaining: Option<u64>,
    signal: Option<AbortSignal>,
    repo_route: bool,
}

/// The async iterator over `listing`'s items.
pub(crate) fn iterate(transport: Rc<Transport>, listing: Listing) -> JsValue {
    let state = State {
        transport,
        next_url: Some(listing.first_url),
        items: listing.items,
        remaining: listing.limit,
        signal: listing.signal,
        repo_route: listing.repo_route,
    };
    paged_iterator(PageReader { state: Rc::new(RefCell::new(state)) })
}

#[wasm_bindgen]
impl PageReader {
    /// The next page's items as an array, or `undefined` after the last one.
    #[wasm_bindgen(js_name = nextPage, skip_typescript)]
    pub fn next_page(&self) -> Promise {
        let state = self.state.clone();
        future_to_promise(async move { next_page(&state).await.map_err(JsValue::from) })
    }
}

async fn next_page(state: &RefCell<State>) -> Result<JsValue, Error> {
    let (transport, url, items, signal, repo_route) = {
        let mut s = state.borrow_mut();
        let Some(url) = s.next_url.take().filter(|_| s.remaining != Some(0)) else {
            return Ok(JsValue::UNDEFINED);
        };
        (s.transport.clone(), url, s.items, s.signal.clone(), s.repo_route)
    };
    let mut request = Request::get(url.clone(), signal.as_ref());
    request.repo_route = repo_route;
    let answer = transport.send(request).await?;
    let next = answer.header("link").and_then(|link| parse_next_link(&link).map(str::to_string));
    let mut page: Vec<Value> = answer.json(signal.as_ref()).await?;
    let mut s = state.borrow_mut();
    if let Some(remaining) = &mut s.remaining {
        page.truncate(usize::try_from(*remaining).unwrap_or(usize::MAX));
        *remaining -= page.len() as u64;
    }
    // A relative next link is read against the page's own URL.
    s.next_url = match next {
        Some(next) => Some(
            Url::new_with_base(&next, &url)
                .map_err(|_| Error::Internal(format!("the Hub's next-page link {next:?} is not a URL")))?
                .href(),
        ),
        None => None,
    };
    match items {
        Items::Json => to_js(&page),
        Items::TreeEntries => {
            let entries: Result<Vec<TreeEntry>, _> = page.into_iter().map(serde_json::from_value).collect();
            let entries =
                entries.map_err(|e| Error::Internal(format!("a tree entry of the Hub's has another shape: {e}")))?;
            to_js(&entries)
        }
    }
}
