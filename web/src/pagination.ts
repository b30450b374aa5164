/**
 * Cursor pages as openai-node's: `await list()` gives a page (`data`,
 * `has_more`, `hasNextPage()`, `getNextPage()`, `iterPages()`), and
 * `for await (const item of list())` walks every item of every page.
 */
import { APIPromise, type Sent } from './api-promise.js';
import { OpenAIError } from './error.js';

/** @internal Fetches the page after `after`. */
export type PageFetcher<Item extends { id?: string }> = (after: string) => PagePromise<CursorPage<Item>, Item>;

export class CursorPage<Item extends { id?: string } = any> implements AsyncIterable<Item> {
  data: Item[];
  has_more: boolean;
  first_id?: string | null;
  last_id?: string | null;
  object?: string;
  private readonly fetchAfter: PageFetcher<Item>;

  /** @internal */
  constructor(body: any, fetchAfter: PageFetcher<Item>) {
    Object.assign(this, body);
    this.data = body?.data ?? [];
    this.has_more = body?.has_more ?? false;
    Object.defineProperty(this, 'fetchAfter', { value: fetchAfter, enumerable: false });
    this.fetchAfter = fetchAfter;
  }

  getPaginatedItems(): Item[] {
    return this.data ?? [];
  }

  hasNextPage(): boolean {
    if (this.has_more === false) return false;
    return this.nextCursor() !== undefined;
  }

  private nextCursor(): string | undefined {
    const items = this.getPaginatedItems();
    return items.length ? items[items.length - 1]?.id : undefined;
  }

  async getNextPage(): Promise<CursorPage<Item>> {
    const after = this.nextCursor();
    if (!this.hasNextPage() || after === undefined) {
      throw new OpenAIError(
        'No next page expected; please check `.hasNextPage()` before calling `.getNextPage()`.',
      );
    }
    return await this.fetchAfter(after);
  }

  /**
   * Every page from this one. A server that names the same cursor again
   * would be asked for the same page forever: paging stops there with an
   * error that says so.
   */
  async *iterPages(): AsyncGenerator<CursorPage<Item>> {
    let page: CursorPage<Item> = this;
    let previous: string | undefined;
    yield page;
    while (page.hasNextPage()) {
      const after = page.nextCursor();
      if (after !== undefined && after === previous) {
        throw new OpenAIError(`the server repeated the cursor ${JSON.stringify(after)} with has_more: paging stopped`);
      }
      previous = after;
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item> {
    for await (const page of this.iterPages()) {
      for (const item of page.getPaginatedItems()) yield item;
    }
  }
}

/** A promise of a page that is also async-iterable over every item. */
export class PagePromise<PageT extends CursorPage<Item>, Item extends { id?: string } = any>
  extends APIPromise<PageT>
  implements AsyncIterable<Item>
{
  /** @internal */
  constructor(responsePromise: Promise<Sent>, parse: (sent: Sent) => PageT) {
    super(responsePromise, parse);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item> {
    const page = await this;
    for await (const item of page) yield item;
  }
}
