/**
 * `OpenAI` and `AzureOpenAI`: openai-node's constructors, options,
 * environment variables and resources, over one wasm `NativeClient` each.
 * A call is described to the module as an operation of the Rust core's
 * endpoint table with its parameters and options (read by serde), its
 * body as JSON text; the module builds the request, runs the loop and
 * decides whether the answer is a whole body or a stream.
 */
import { APIPromise, addRequestID, parseSent, type RawAnswer, type Sent } from './api-promise.js';
import { OpenAIError } from './error.js';
import * as Errors from './error.js';
import { azure_base_url, callNative, generation, runTask, trackCall, NativeClient, NativeStream } from './native.js';
import type { NativeClientHandle, NativeStreamHandle } from './handles.js';
import { Conversations } from './conversations.js';
import { Models } from './models.js';
import { CursorPage, PagePromise, type PageFetcher } from './pagination.js';
import { Chat, Completions, Responses } from './resources.js';
import { Webhooks } from './webhooks.js';
import type { UsageTotals } from './types.js';

export type HeadersLike = Headers | Array<[string, string | null | undefined]> | Record<string, string | null | undefined>;

export interface ClientOptions {
  /** Defaults to process.env['OPENAI_API_KEY']. */
  apiKey?: string | null | undefined;
  /** Defaults to process.env['OPENAI_ORG_ID']. */
  organization?: string | null | undefined;
  /** Defaults to process.env['OPENAI_PROJECT_ID']. */
  project?: string | null | undefined;
  /** Defaults to process.env['OPENAI_WEBHOOK_SECRET']. */
  webhookSecret?: string | null | undefined;
  /** Defaults to process.env['OPENAI_BASE_URL'], else https://api.openai.com/v1. */
  baseURL?: string | null | undefined;
  /** Milliseconds to wait for a response (a stream's headers); default 10 minutes. */
  timeout?: number | undefined;
  /** Retries on connection errors, 408, 409, 429 and 5xx; default 2. */
  maxRetries?: number | undefined;
  defaultHeaders?: HeadersLike | undefined;
  defaultQuery?: Record<string, string | undefined> | undefined;
  /** Allow use in a browser, where the key is visible to the page's users. */
  dangerouslyAllowBrowser?: boolean | undefined;
  /** Not supported: requests go through the global fetch, from WebAssembly. */
  fetch?: never;
  /**
   * The largest whole response body accepted, in bytes (ours: openai-node
   * has no limit); default 256 MiB. A longer one is an APIConnectionError.
   */
  maxBodyBytes?: number | undefined;
}

export interface RequestOptions {
  signal?: AbortSignal | undefined | null;
  /** Milliseconds, for this call. */
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  headers?: HeadersLike | undefined;
  query?: Record<string, unknown> | undefined;
  /** Extra body members, merged over the params. */
  body?: Record<string, unknown> | undefined;
  stream?: boolean | undefined;
}

/** @internal How a resource describes a call: an operation of the Rust
 * core's endpoint table (`responses.create`, ..., or a raw verb). */
export interface CallSpec {
  op: string;
  /** Path parameters; for a raw verb, the path. */
  params?: string[];
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  /** Raw verbs: the answer is an event stream. */
  stream?: boolean;
  /** The `responses.stream()` helper: deltas carry `snapshot`. */
  snapshots?: boolean;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_TIMEOUT = 600_000;
const DEFAULT_MAX_RETRIES = 2;

export function readEnv(name: string): string | undefined {
  const env = (globalThis as any).process?.env ?? (globalThis as any).Deno?.env?.toObject?.();
  const value = env?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A Window with a document (not a Worker), as openai-node's check. */
function isRunningInBrowser(): boolean {
  const g = globalThis as any;
  return typeof g.window !== 'undefined' && typeof g.window.document !== 'undefined' && typeof g.navigator !== 'undefined';
}

/** Headers as a record; `null` removes a default header. */
function headerRecord(headers: HeadersLike | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (!headers) return out;
  const entries: Iterable<[string, unknown]> =
    typeof Headers !== 'undefined' && headers instanceof Headers
      ? headers.entries()
      : Array.isArray(headers)
        ? headers
        : Object.entries(headers);
  for (const [k, v] of entries) if (v !== undefined) out[k] = v === null ? null : String(v);
  return out;
}

/** @internal What the module builds a client from (rapidresponse::settings::Settings). */
interface Settings {
  base_url: string;
  api_key: string | null;
  organization: string | null;
  project: string | null;
  max_retries: number;
  timeout: number;
  default_headers: Record<string, string | null>;
  default_query: Record<string, unknown>;
  azure: { endpoint: string | null; api_version: string | null; deployment: string | null; api_key: string | null } | null;
  retry_delay_scale?: number;
  max_body_bytes?: number;
}

export class OpenAI {
  apiKey: string;
  organization: string | null;
  project: string | null;
  webhookSecret: string | null;
  baseURL: string;
  maxRetries: number;
  timeout: number;

  responses: Responses = new Responses(this);
  conversations: Conversations = new Conversations(this);
  models: Models = new Models(this);
  webhooks: Webhooks = new Webhooks(this);
  chat: Chat = new Chat(this);
  completions: Completions = new Completions(this);

  /** @internal */
  protected _options: ClientOptions;
  #native: NativeClientHandle | undefined;
  #nativeGeneration = -1;

  constructor(options: ClientOptions = {}) {
    const {
      apiKey = readEnv('OPENAI_API_KEY') ?? null,
      organization = readEnv('OPENAI_ORG_ID') ?? null,
      project = readEnv('OPENAI_PROJECT_ID') ?? null,
      webhookSecret = readEnv('OPENAI_WEBHOOK_SECRET') ?? null,
      baseURL = readEnv('OPENAI_BASE_URL'),
      ...rest
    } = options;
    if ((options as { fetch?: unknown }).fetch !== undefined) {
      throw new OpenAIError(
        'The `fetch` option is not supported: rapidresponse sends requests from WebAssembly through the global fetch.',
      );
    }
    if (!apiKey && !(options as { azureADTokenProvider?: unknown }).azureADTokenProvider) {
      throw new OpenAIError(
        'Missing credentials. Please pass an `apiKey`, or set the `OPENAI_API_KEY` environment variable.',
      );
    }
    if (!rest.dangerouslyAllowBrowser && isRunningInBrowser()) {
      throw new OpenAIError(
        "It looks like you're running in a browser-like environment.\n\nThis is disabled by default, as it risks exposing your secret API credentials to attackers.\nIf you understand the risks and have appropriate mitigations in place,\nyou can set the `dangerouslyAllowBrowser` option to `true`, e.g.,\n\nnew OpenAI({ apiKey, dangerouslyAllowBrowser: true });\n\nhttps://help.openai.com/en/articles/5112595-best-practices-for-api-key-safety\n",
      );
    }
    this._options = { ...rest, apiKey, organization, project, webhookSecret, baseURL };
    this.apiKey = apiKey ?? '';
    this.organization = organization;
    this.project = project;
    this.webhookSecret = webhookSecret;
    this.baseURL = baseURL || DEFAULT_BASE_URL;
    this.timeout = rest.timeout ?? DEFAULT_TIMEOUT;
    this.maxRetries = rest.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!(Number.isFinite(this.timeout) && this.timeout >= 0)) {
      throw new OpenAIError(`timeout must be a non-negative number of milliseconds, got ${this.timeout}`);
    }
  }

  /** @internal */
  protected _settings(): Settings {
    const scale = (this._options as { retryDelayScale?: number }).retryDelayScale;
    return {
      base_url: this.baseURL,
      api_key: this.apiKey || null,
      organization: this.organization,
      project: this.project,
      max_retries: this.maxRetries,
      timeout: this.timeout,
      default_headers: headerRecord(this._options.defaultHeaders),
      default_query: { ...this._options.defaultQuery },
      azure: null,
      ...(scale === undefined ? {} : { retry_delay_scale: scale }),
      ...(this._options.maxBodyBytes === undefined ? {} : { max_body_bytes: this._options.maxBodyBytes }),
    };
  }

  /** @internal The module's client, rebuilt after the module was reset. */
  _native(): NativeClientHandle {
    if (!this.#native || this.#nativeGeneration !== generation) {
      const settings = this._settings();
      this.#native = callNative(() => new NativeClient(settings));
      this.#nativeGeneration = generation;
    }
    return this.#native;
  }

  /** A new client with these options changed (sharing nothing else). */
  withOptions(options: Partial<ClientOptions>): this {
    const Ctor = this.constructor as new (o: ClientOptions) => this;
    return new Ctor({ ...this._options, ...options });
  }

  /** Token totals and the cost estimate over this client's calls (ours). */
  usage(): UsageTotals {
    return callNative(() => this._native().usage()) as UsageTotals;
  }

  /** Sets a model's price in USD per million tokens, for `usage()` (ours). */
  setPrice(model: string, price: { input: number; cachedInput?: number; output: number }): void {
    callNative(() => this._native().set_price(model, price.input, price.cachedInput ?? price.input, price.output));
  }

  get<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._call({ op: 'get', params: [path], query: opts?.query, stream: opts?.stream }, { ...opts, query: undefined });
  }
  post<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._raw('post', path, opts);
  }
  patch<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._raw('patch', path, opts);
  }
  put<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._raw('put', path, opts);
  }
  delete<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._call({ op: 'delete', params: [path], query: opts?.query }, { ...opts, query: undefined });
  }

  private _raw<R>(op: string, path: string, opts: RequestOptions | undefined): APIPromise<R> {
    const spec = { op, params: [path], body: opts?.body ?? {}, query: opts?.query, stream: opts?.stream };
    return this._call(spec, { ...opts, body: undefined, query: undefined });
  }

  /** @internal A bearer token for this call (Azure AD token providers). */
  protected async _callToken(): Promise<string | undefined> {
    return undefined;
  }

  /** @internal Sends a call; the promise parses with `parse`. */
  _call<R>(spec: CallSpec, options: RequestOptions = {}, parse: (sent: Sent) => R = parseSent): APIPromise<R> {
    return new APIPromise<R>(this._send(spec, options), parse);
  }

  /** @internal A list call; its pages are `Page` (CursorPage by default). */
  _list<Item extends { id?: string }, Page extends CursorPage<Item> = CursorPage<Item>>(
    op: string,
    params: string[],
    query: Record<string, unknown> | undefined,
    options: RequestOptions | undefined,
    Page: new (body: any, fetchAfter: PageFetcher<Item>) => Page = CursorPage as any,
  ): PagePromise<Page, Item> {
    const fetchPage = (q: Record<string, unknown> | undefined): PagePromise<Page, Item> =>
      new PagePromise(this._send({ op, params, query: q }, options ?? {}), (sent) => {
        const body = parseSent<any>(sent);
        const page = new Page(body, (after) => fetchPage({ ...q, after }) as any);
        return addRequestID(page, sent.kind === 'whole' ? new Headers(sent.raw.headers).get('x-request-id') : null);
      });
    return fetchPage(query);
  }

  /** @internal */
  private async _send(spec: CallSpec, options: RequestOptions): Promise<Sent> {
    const controller = new AbortController();
    trackCall(controller);
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) controller.abort();
      else signal.addEventListener('abort', () => controller.abort(), { once: true });
    }
    const token = await this._callToken();
    // Keys left out when not given: the module reads a missing one as
    // "the client's", a null timeout as "no limit".
    const callOptions: Record<string, unknown> = { headers: headerRecord(options.headers) };
    if (options.timeout !== undefined) callOptions['timeout'] = options.timeout;
    if (options.maxRetries !== undefined) callOptions['max_retries'] = options.maxRetries;
    if (options.query !== undefined) callOptions['query'] = options.query;
    if (options.body !== undefined) callOptions['body'] = options.body;
    if (token !== undefined) callOptions['token'] = token;
    const call = {
      op: spec.op,
      params: spec.params ?? [],
      query: spec.query ?? {},
      stream: spec.stream ?? false,
      options: callOptions,
    };
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const native = this._native();
    const out = await runTask<NativeStreamHandle | RawAnswer>(() =>
      native.call(call, body, controller.signal, spec.snapshots ?? false),
    );
    if (out instanceof NativeStream) return { kind: 'stream', native: out as NativeStreamHandle, controller };
    return { kind: 'whole', raw: out as RawAnswer };
  }

  static OpenAI = this;
  static DEFAULT_TIMEOUT = DEFAULT_TIMEOUT;

  static OpenAIError = Errors.OpenAIError;
  static APIError = Errors.APIError;
  static APIConnectionError = Errors.APIConnectionError;
  static APIConnectionTimeoutError = Errors.APIConnectionTimeoutError;
  static APIUserAbortError = Errors.APIUserAbortError;
  static NotFoundError = Errors.NotFoundError;
  static ConflictError = Errors.ConflictError;
  static RateLimitError = Errors.RateLimitError;
  static BadRequestError = Errors.BadRequestError;
  static AuthenticationError = Errors.AuthenticationError;
  static InternalServerError = Errors.InternalServerError;
  static PermissionDeniedError = Errors.PermissionDeniedError;
  static UnprocessableEntityError = Errors.UnprocessableEntityError;
  static RustPanicError = Errors.RustPanicError;
}

export interface AzureClientOptions extends ClientOptions {
  /** Defaults to process.env['OPENAI_API_VERSION']. */
  apiVersion?: string | undefined;
  /** e.g. https://example-resource.azure.openai.com/ ; defaults to process.env['AZURE_OPENAI_ENDPOINT']. */
  endpoint?: string | undefined;
  /** The deployment every call goes to (else the `model` of each call). */
  deployment?: string | undefined;
  /** Called before every call for a Microsoft Entra ID token. */
  azureADTokenProvider?: (() => Promise<string>) | undefined;
}

export class AzureOpenAI extends OpenAI {
  apiVersion: string;
  deploymentName: string | undefined;
  #endpoint: string | null;
  #tokenProvider: (() => Promise<string>) | undefined;

  constructor(options: AzureClientOptions = {}) {
    const {
      baseURL = readEnv('OPENAI_BASE_URL'),
      apiKey = readEnv('AZURE_OPENAI_API_KEY'),
      apiVersion = readEnv('OPENAI_API_VERSION'),
      endpoint,
      deployment,
      azureADTokenProvider,
      ...rest
    } = options;
    if (!apiVersion) {
      throw new OpenAIError(
        "The OPENAI_API_VERSION environment variable is missing or empty; either provide it, or instantiate the AzureOpenAI client with an apiVersion option, like new AzureOpenAI({ apiVersion: 'My API Version' }).",
      );
    }
    if (azureADTokenProvider && apiKey) {
      throw new OpenAIError(
        'The `apiKey` and `azureADTokenProvider` arguments are mutually exclusive; only one can be passed at a time.',
      );
    }
    if (!azureADTokenProvider && !apiKey) {
      throw new OpenAIError(
        'Missing credentials. Please pass one of `apiKey` and `azureADTokenProvider`, or set the `AZURE_OPENAI_API_KEY` environment variable.',
      );
    }
    const resolvedEndpoint = baseURL ? undefined : (endpoint ?? readEnv('AZURE_OPENAI_ENDPOINT'));
    if (!baseURL && !resolvedEndpoint) {
      throw new OpenAIError(
        'Must provide one of the `baseURL` or `endpoint` arguments, or the `AZURE_OPENAI_ENDPOINT` environment variable',
      );
    }
    if (baseURL && endpoint) throw new OpenAIError('baseURL and endpoint are mutually exclusive');
    super({
      ...rest,
      apiKey: apiKey ?? null,
      baseURL: baseURL ?? azure_base_url(resolvedEndpoint!),
      apiVersion,
      endpoint,
      deployment,
      azureADTokenProvider,
    } as ClientOptions);
    this.apiVersion = apiVersion;
    this.deploymentName = deployment;
    this.#endpoint = resolvedEndpoint ?? null;
    this.#tokenProvider = azureADTokenProvider;
  }

  /** @internal */
  protected override _settings(): Settings {
    const settings = super._settings();
    return {
      ...settings,
      base_url: this.#endpoint ?? this.baseURL,
      api_key: null,
      azure: {
        endpoint: this.#endpoint,
        api_version: this.apiVersion,
        deployment: this.deploymentName ?? null,
        api_key: settings.api_key,
      },
    };
  }

  /** @internal */
  protected override async _callToken(): Promise<string | undefined> {
    if (!this.#tokenProvider) return undefined;
    const token = await this.#tokenProvider();
    if (!token || typeof token !== 'string') {
      throw new OpenAIError(`Expected 'azureADTokenProvider' argument to return a string but it returned ${token}`);
    }
    return token;
  }
}
