/**
 * `client.webhooks`: `unwrap` and `verifySignature` with openai-node's
 * signatures and errors. The verification is the Rust core's
 * (`rapidresponse_core::webhook`, openai-node's reading of the headers);
 * this module reads the three headers and the clock, and throws.
 */
import type { HeadersLike, OpenAI } from './client.js';
import { InvalidWebhookSignatureError } from './error.js';
import { callNative, verify_webhook } from './native.js';
import type { UnwrapWebhookEvent } from './types.js';

/** The headers as openai-node reads them (a Headers, pairs or a record). */
function readHeaders(headers: HeadersLike): Headers {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers;
  const out = new Headers();
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) if (value !== undefined && value !== null) out.append(name, String(value));
  return out;
}

export class Webhooks {
  constructor(private readonly client: OpenAI) {}

  /** Checks that the payload was sent by OpenAI, then parses it. */
  async unwrap(
    payload: string,
    headers: HeadersLike,
    secret: string | null | undefined = this.client.webhookSecret,
    tolerance: number = 300,
  ): Promise<UnwrapWebhookEvent> {
    await this.verifySignature(payload, headers, secret, tolerance);
    return JSON.parse(payload) as UnwrapWebhookEvent;
  }

  /** Throws InvalidWebhookSignatureError unless the payload was signed with
   * the secret within `tolerance` seconds of now. */
  async verifySignature(
    payload: string,
    headers: HeadersLike,
    secret: string | null | undefined = this.client.webhookSecret,
    tolerance: number = 300,
  ): Promise<void> {
    if (typeof secret !== 'string' || secret.length === 0) secret = undefined;
    if (secret !== undefined && !headers) throw new Error('Headers are required');
    const h = headers ? readHeaders(headers) : new Headers();
    const verdict = callNative(() =>
      verify_webhook(
        payload,
        h.get('webhook-id') ?? undefined,
        h.get('webhook-timestamp') ?? undefined,
        h.get('webhook-signature') ?? undefined,
        secret,
        tolerance,
        Math.floor(Date.now() / 1000),
      ),
    ) as [boolean, string] | undefined;
    if (verdict) throw verdict[0] ? new InvalidWebhookSignatureError(verdict[1]) : new Error(verdict[1]);
  }
}
