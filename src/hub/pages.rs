//! Paginated listings: each page is one GET, the next page's URL comes from the answer's `Link`
//! header (`rel="next"`, parsed by hubwasm-core), and JS sees an async iterator (pages.js).
//! Items are the Hub's JSON objects as the engine's `JSON.parse` reads them.

use std::cell::RefCell;
use std::rc::Rc;

use hubwasm_core::http::link::parse_next_link;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Url};

use crate::error::Error;
use crate::http::{Request, Transport};

#[wasm_bindgen(module = "/src/hub/pages.js")]
extern "C" {
    #[wasm_bindgen(js_name = pagedIterator)]
    fn paged_iterator(reader: PageReader) -> JsValue;
}

/// A listing to iterate: its first page's URL and how to read it.
pub(crate) struct Listing {
    pub(crate) first_url: String,
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
    remaining: Option<u64>,
    signal: Option<AbortSignal>,
    repo_route: bool,
}

/// The async iterator over `listing`'s items.
pub(crate) fn iterate(transport: Rc<Transport>, listing: Listing) -> JsValue {
    let state = State {
        transport,
        next_url: Some(listing.first_url),
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
        super::spawn(async move { next_page(&state).await })
    }
}

async fn next_page(state: &RefCell<State>) -> Result<JsValue, Error> {
    let (transport, url, signal, repo_route) = {
        let mut s = state.borrow_mut();
        let Some(url) = s.next_url.take().filter(|_| s.remaining != Some(0)) else {
            return Ok(JsValue::UNDEFINED);
        };
        (s.transport.clone(), url, s.signal.clone(), s.repo_route)
    };
    let mut request = Request::get(url.clone(), signal.as_ref());
    request.repo_route = repo_route;
    let read = transport.send_and_read(request).await?;
    let answer = &read.answer;
    let next = answer.header("link").and_then(|link| parse_next_link(&link).map(str::to_string));
    let page = read.js_json()?;
    if !Array::is_array(&page) {
        return Err(answer.unexpected("a listing page is not a JSON array".into()));
    }
    let mut page: Array = page.unchecked_into();
    let mut s = state.borrow_mut();
    if let Some(remaining) = &mut s.remaining {
        if u64::from(page.length()) > *remaining {
            page = page.slice(0, *remaining as u32);
        }
        *remaining -= u64::from(page.length());
    }
    // A relative next link is read against the page's own URL.
    s.next_url = match next {
        Some(next) => Some(
            Url::new_with_base(&next, &url)
                .map_err(|_| answer.unexpected(format!("the next-page link {next:?} is not a URL")))?
                .href(),
        ),
        None => None,
    };
    Ok(page.into())
}
