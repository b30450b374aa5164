/**
 * `OpenAI` and `AzureOpenAI`: openai-node's constructors, options,
 * environment variables and resources, over one wasm `NativeClient` each.
 * A call is described to the module as JSON (method, path, query, headers,
 * timeout, retries) with its body as JSON text; the module runs the request
 * loop and hands back text this layer parses.
 */
import { APIPromise, addRequestID, parseSent, type RawAnswer, type Sent } from './api-promise.js';
import { OpenAIError } from './error.js';
import * as Errors from './error.js';
import { callNative, generation, runTask, NativeClient } from './native.js';
import type { NativeClientHandle, NativeStreamHandle } from './handles.js';
import { CursorPage, PagePromise } from './pagination.js';
import { Chat, Completions, Responses } from './resources.js';
import type { StreamKind } from './streaming.js';
import type { UsageTotals } from './types.js';

export type HeadersLike = Headers | Array<[string, string | null | undefined]> | Record<string, string | null | undefined>;

export interface ClientOptions {
  /** Defaults to process.env['OPENAI_API_KEY']. */
  apiKey?: string | null | undefined;
  /** Defaults to process.env['OPENAI_ORG_ID']. */
  organization?: string | null | undefined;
  /** Defaults to process.env['OPENAI_PROJECT_ID']. */
  project?: string | null | undefined;
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

/** @internal How a resource describes a call. */
export interface CallSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  path: string;
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  stream?: boolean;
  kind?: StreamKind;
  /** Count this call's tokens in `usage()` (creates, not retrieves). */
  usage?: 'responses' | 'completions';
  extraHeaders?: HeadersLike;
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

function headerPairs(headers: HeadersLike | undefined): Array<[string, string | null]> {
  if (!headers) return [];
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return [...headers.entries()];
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  const out: Array<[string, string | null]> = [];
  for (const [k, v] of entries) if (v !== undefined) out.push([k, v === null ? null : String(v)]);
  return out;
}

/** openai-node's query format: arrays as `key[]`, objects as `key[sub]`. */
export function queryPairs(query: Record<string, unknown> | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) for (const v of value) add(`${key}[]`, v);
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else out.push([key, String(value)]);
  };
  for (const [k, v] of Object.entries(query ?? {})) add(k, v);
  return out;
}

interface Settings {
  baseURL: string;
  apiKey: string | null;
  organization: string | null;
  project: string | null;
  maxRetries: number;
  timeout: number;
  defaultHeaders: Array<[string, string | null]>;
  defaultQuery: Array<[string, string]>;
  azure: { endpoint: string | null; apiVersion: string | null; deployment: string | null } | null;
  retryDelayScale?: number;
}

export class OpenAI {
  apiKey: string;
  organization: string | null;
  project: string | null;
  baseURL: string;
  maxRetries: number;
  timeout: number;

  responses: Responses = new Responses(this);
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
    this._options = { ...rest, apiKey, organization, project, baseURL };
    this.apiKey = apiKey ?? '';
    this.organization = organization;
    this.project = project;
    this.baseURL = baseURL || DEFAULT_BASE_URL;
    this.timeout = rest.timeout ?? DEFAULT_TIMEOUT;
    this.maxRetries = rest.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!(Number.isFinite(this.timeout) && this.timeout >= 0)) {
      throw new OpenAIError(`timeout must be a non-negative number of milliseconds, got ${this.timeout}`);
    }
  }

  /** @internal */
  protected _settings(): Settings {
    return {
      baseURL: this.baseURL,
      apiKey: this.apiKey || null,
      organization: this.organization,
      project: this.project,
      maxRetries: this.maxRetries,
      timeout: this.timeout,
      defaultHeaders: headerPairs(this._options.defaultHeaders),
      defaultQuery: queryPairs(this._options.defaultQuery) as Array<[string, string]>,
      azure: null,
      retryDelayScale: (this._options as { retryDelayScale?: number }).retryDelayScale,
    };
  }

  /** @internal The module's client, rebuilt after the module was reset. */
  _native(): NativeClientHandle {
    if (!this.#native || this.#nativeGeneration !== generation) {
      const settings = JSON.stringify(this._settings());
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
    return JSON.parse(callNative(() => this._native().usage()));
  }

  /** Sets a model's price in USD per million tokens, for `usage()` (ours). */
  setPrice(model: string, price: { input: number; cachedInput?: number; output: number }): void {
    callNative(() => this._native().set_price(model, price.input, price.cachedInput ?? price.input, price.output));
  }

  get<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._call({ method: 'GET', path, query: opts?.query, stream: opts?.stream }, opts);
  }
  post<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._call({ method: 'POST', path, body: opts?.body ?? {}, stream: opts?.stream }, { ...opts, body: undefined });
  }
  patch<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._call({ method: 'PATCH', path, body: opts?.body ?? {} }, { ...opts, body: undefined });
  }
  put<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._call({ method: 'PUT', path, body: opts?.body ?? {} }, { ...opts, body: undefined });
  }
  delete<R = unknown>(path: string, opts?: RequestOptions): APIPromise<R> {
    return this._call({ method: 'DELETE', path, query: opts?.query }, opts);
  }

  /** @internal Headers this client adds per call (Azure AD tokens). */
  protected async _callHeaders(): Promise<Array<[string, string | null]>> {
    return [];
  }

  /** @internal Sends a call; the promise parses with `parse`. */
  _call<R>(spec: CallSpec, options: RequestOptions = {}, parse: (sent: Sent) => R = parseSent): APIPromise<R> {
    const usage = spec.usage;
    if (!usage) return new APIPromise<R>(this._send(spec, options), parse);
    return new APIPromise<R>(this._send(spec, options), (sent) => {
      const data = parse(sent);
      // A whole answer's usage is read from the parsed object; a stream's
      // is counted in the module from its last event.
      const counted = data as { model?: unknown; usage?: unknown } | null;
      if (sent.kind === 'whole' && counted?.usage && typeof counted.usage === 'object') {
        const text = JSON.stringify({ model: counted.model, usage: counted.usage });
        callNative(() => this._native().record_usage(usage, text));
      }
      return data;
    });
  }

  /** @internal */
  _list<Item extends { id?: string }>(
    path: string,
    query: Record<string, unknown> | undefined,
    options: RequestOptions | undefined,
  ): PagePromise<CursorPage<Item>, Item> {
    const fetchPage = (q: Record<string, unknown> | undefined): PagePromise<CursorPage<Item>, Item> =>
      new PagePromise(this._send({ method: 'GET', path, query: q }, options ?? {}), (sent) => {
        const body = parseSent<any>(sent);
        const page = new CursorPage<Item>(body, (after) => fetchPage({ ...q, after }));
        return addRequestID(page, sent.kind === 'whole' ? new Headers(sent.raw.headers).get('x-request-id') : null);
      });
    return fetchPage(query);
  }

  /** @internal */
  private async _send(spec: CallSpec, options: RequestOptions): Promise<Sent> {
    const controller = new AbortController();
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) controller.abort();
      else signal.addEventListener('abort', () => controller.abort(), { once: true });
    }
    const headers = [...headerPairs(spec.extraHeaders), ...(await this._callHeaders()), ...headerPairs(options.headers)];
    const body =
      spec.body === undefined
        ? undefined
        : JSON.stringify(options.body ? { ...(spec.body as object), ...options.body } : spec.body);
    const stream = spec.stream ?? options.stream ?? false;
    const call = JSON.stringify({
      method: spec.method,
      path: spec.path,
      query: [...queryPairs(spec.query), ...queryPairs(options.query)],
      headers,
      model: typeof (spec.body as any)?.model === 'string' ? (spec.body as any).model : undefined,
      timeout: options.timeout,
      maxRetries: options.maxRetries,
      usage: spec.usage,
    });
    const native = this._native();
    if (stream) {
      const handle = await runTask<NativeStreamHandle>(() => native.stream(call, body, controller.signal));
      return { kind: 'stream', native: handle, streamKind: spec.kind ?? 'responses', controller };
    }
    const raw = await runTask<RawAnswer>(() => native.request(call, body, controller.signal));
    return { kind: 'whole', raw };
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
      baseURL: baseURL ?? `${resolvedEndpoint!.replace(/\/+$/, '')}/openai`,
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

  protected override _settings(): Settings {
    return {
      ...super._settings(),
      baseURL: this.#endpoint ?? this.baseURL,
      azure: { endpoint: this.#endpoint, apiVersion: this.apiVersion, deployment: this.deploymentName ?? null },
    };
  }

  protected override async _callHeaders(): Promise<Array<[string, string | null]>> {
    if (!this.#tokenProvider) return [];
    const token = await this.#tokenProvider();
    if (!token || typeof token !== 'string') {
      throw new OpenAIError(`Expected 'azureADTokenProvider' argument to return a string but it returned ${token}`);
    }
    return [['Authorization', `Bearer ${token}`]];
  }
}
