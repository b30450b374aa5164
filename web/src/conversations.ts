/**
 * `client.conversations` (create, retrieve, update, delete) and
 * `client.conversations.items` (create, retrieve, list, delete), with
 * openai-node's methods and return shapes. Each only describes its call:
 * the operations are rows of the Rust core's endpoint table.
 */
import type { APIPromise } from './api-promise.js';
import type { OpenAI, RequestOptions } from './client.js';
import { ConversationCursorPage, type PagePromise } from './pagination.js';
import type {
  Conversation,
  ConversationCreateParams,
  ConversationDeletedResource,
  ConversationItem,
  ConversationItemList,
  ConversationUpdateParams,
  ItemCreateParams,
  ItemDeleteParams,
  ItemListParams,
  ItemRetrieveParams,
} from './types.js';

export class Items {
  constructor(private readonly client: OpenAI) {}

  /** Adds up to 20 items; `include` goes in the query. */
  create(conversationID: string, params: ItemCreateParams, options?: RequestOptions): APIPromise<ConversationItemList> {
    const { include, ...body } = params;
    return this.client._call(
      { op: 'conversations.items.create', params: [conversationID], query: { include }, body },
      options,
    );
  }

  retrieve(itemID: string, params: ItemRetrieveParams, options?: RequestOptions): APIPromise<ConversationItem> {
    const { conversation_id, ...query } = params;
    return this.client._call(
      { op: 'conversations.items.retrieve', params: [conversation_id, itemID], query },
      options,
    );
  }

  /** A page of items, newest first unless `order: 'asc'` (`for await` walks them all). */
  list(
    conversationID: string,
    query: ItemListParams = {},
    options?: RequestOptions,
  ): PagePromise<ConversationCursorPage<ConversationItem>, ConversationItem> {
    return this.client._list('conversations.items.list', [conversationID], { ...query }, options, ConversationCursorPage);
  }

  /** Deletes an item; the conversation. */
  delete(itemID: string, params: ItemDeleteParams, options?: RequestOptions): APIPromise<Conversation> {
    return this.client._call({ op: 'conversations.items.delete', params: [params.conversation_id, itemID] }, options);
  }
}

export class Conversations {
  items: Items;

  constructor(private readonly client: OpenAI) {
    this.items = new Items(client);
  }

  create(body: ConversationCreateParams = {}, options?: RequestOptions): APIPromise<Conversation> {
    return this.client._call({ op: 'conversations.create', body }, options);
  }

  retrieve(conversationID: string, options?: RequestOptions): APIPromise<Conversation> {
    return this.client._call({ op: 'conversations.retrieve', params: [conversationID] }, options);
  }

  /** Replaces the conversation's metadata. */
  update(conversationID: string, body: ConversationUpdateParams, options?: RequestOptions): APIPromise<Conversation> {
    return this.client._call({ op: 'conversations.update', params: [conversationID], body }, options);
  }

  delete(conversationID: string, options?: RequestOptions): APIPromise<ConversationDeletedResource> {
    return this.client._call({ op: 'conversations.delete', params: [conversationID] }, options);
  }
}
