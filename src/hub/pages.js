// The async iterator of HubClient's paginated listings (src/hub/pages.rs). `reader.nextPage()`
// resolves to the next page's items, or `undefined` after the last page; calls are queued so that
// concurrent `next()`s never overlap a fetch. `return()` (a `break` out of `for await`) stops
// fetching and frees the reader; so does the end of the listing or an error.

export function pagedIterator(reader) {
  let items = [];
  let index = 0;
  let finished = false;
  let queue = Promise.resolve();
  const finish = () => {
    if (!finished) {
      finished = true;
      items = [];
      reader.free();
    }
  };
  const step = async () => {
    while (index >= items.length) {
      if (finished) return { done: true, value: undefined };
      let page;
      try {
        page = await reader.nextPage();
      } catch (error) {
        finish();
        throw error;
      }
      if (page === undefined) {
        finish();
        return { done: true, value: undefined };
      }
      items = page;
      index = 0;
    }
    return { done: false, value: items[index++] };
  };
  return {
    next() {
      const result = queue.then(step);
      queue = result.catch(() => {});
      return result;
    },
    return(value) {
      const result = queue.then(() => {
        finish();
        return { done: true, value };
      });
      queue = result.catch(() => {});
      return result;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
