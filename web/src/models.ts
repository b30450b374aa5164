/**
 * `client.models` (retrieve, list, delete) with openai-node's methods and
 * return shapes: `list()` is one `Page` of every model. Each only
 * describes its call: the operations are rows of the Rust core's
 * endpoint table.
 */
import type { APIPromise } from './api-promise.js';
import type { OpenAI, RequestOptions } from './client.js';
import { Page, type PagePromise } from './pagination.js';
import type { Model, ModelDeleted } from './types.js';

export class Models {
  constructor(private readonly client: OpenAI) {}

  retrieve(model: string, options?: RequestOptions): APIPromise<Model> {
    return this.client._call({ op: 'models.retrieve', params: [model] }, options);
  }

  /** Every model this key can use, in one page (`for await` over it works too). */
  list(options?: RequestOptions): PagePromise<Page<Model>, Model> {
    return this.client._list('models.list', [], undefined, options, Page);
  }

  /** Deletes a fine-tuned model of your organization. */
  delete(model: string, options?: RequestOptions): APIPromise<ModelDeleted> {
    return this.client._call({ op: 'models.delete', params: [model] }, options);
  }
}
