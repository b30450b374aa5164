/**
 * Cursor pages as openai-node's: `await list()` gives a page (`data`,
 * `has_more`, `hasNextPage()`, `getNextPage()`, `iterPages()`), and
 * `for await (const item of list())` walks every item of every page. A
 * `Page` is a list in one page (`models.list()`).
 */
import { APIPromise, type Sent } from './api-promise.js';
import { OpenAIError } from './error.js';
import { callNative, next_page_cursor } from './native.js';

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
    return this.nextCursor() !== undefined;
  }

  /**
   * The cursor of the next page (the last item's id), or undefined at the
   * end, by the core's rule (`rapidresponse_core::paging`), which stops a
   * server that repeats the cursor it was asked with (`askedAfter`).
   */
  private nextCursor(askedAfter?: string): string | undefined {
    const items = this.getPaginatedItems();
    const lastID = this.cursor(items);
    const [cursor, why] = callNative(() => next_page_cursor(this.has_more, items.length, lastID, askedAfter)) as [
      string | null,
      string | null,
    ];
    if (why !== null) throw new OpenAIError(why);
    return cursor ?? undefined;
  }

  /** @internal Where the next page's cursor is: the last item's id. */
  protected cursor(items: Item[]): string | undefined {
    return items.length ? items[items.length - 1]?.id : undefined;
  }

  async getNextPage(): Promise<CursorPage<Item>> {
    const after = this.nextCursor();
    if (after === undefined) {
      throw new OpenAIError(
        'No next page expected; please check `.hasNextPage()` before calling `.getNextPage()`.',
      );
    }
    return await this.fetchAfter(after);
  }

  /** Every page from this one. */
  async *iterPages(): AsyncGenerator<CursorPage<Item>> {
    let page: CursorPage<Item> = this;
    yield page;
    for (let asked = page.nextCursor(); asked !== undefined; asked = page.nextCursor(asked)) {
      page = await page.fetchAfter(asked);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item> {
    for await (const page of this.iterPages()) {
      for (const item of page.getPaginatedItems()) yield item;
    }
  }
}

/** A page of conversation items (openai-node's ConversationCursorPage):
 * the next page is after its `last_id`. */
export class ConversationCursorPage<Item extends { id?: string } = any> extends CursorPage<Item> {
  declare last_id: string;

  /** @internal */
  constructor(body: any, fetchAfter: PageFetcher<Item>) {
    super(body, fetchAfter);
    this.last_id = body?.last_id || '';
  }

  /** @internal */
  protected override cursor(): string | undefined {
    return this.last_id;
  }
}

/** A page that is the whole list (openai-node's `Page`: `models.list()`):
 * `data` and `object`, and no next page. */
export class Page<Item extends { id?: string } = any> extends CursorPage<Item> {
  /** @internal */
  constructor(body: any, fetchAfter: PageFetcher<Item>) {
    super({ ...body, has_more: false }, fetchAfter);
    delete (this as { has_more?: boolean }).has_more;
  }

  /** @internal */
  protected override cursor(): string | undefined {
    return undefined;
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
