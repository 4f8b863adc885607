import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordReceipt } from '../../domain/attempts/receipts.js';
import { TwilioError, notFound } from '../../domain/errors.js';
import { pathParam, route, type ApiContext } from '../context.js';
import type { CredentialRules } from '../plugins/auth.js';
import { notFoundHandler } from '../plugins/errors.js';
import { twilioWire } from '../plugins/twilio-wire.js';
import { parseJsonObject } from '../../channels/json-object.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../channels/http-gateway/signature.js';

/** A receipt as a provider reported it, in the Attempts API's statuses. */
export interface ProviderReceipt {
  messageId: string;
  status: string;
  errorCode: number | null;
}

/**
 * What checking one receipt found: signed, and the receipt it reports (null: nothing an attempt
 * records, such as Vonage's `unknown`); not signed by the provider (`forged`); or signed but not
 * the documented shape (`malformed`, with why).
 */
export type CheckedReceipt = { receipt: ProviderReceipt | null } | 'forged' | { malformed: string };

/** How the receipts of the configured providers are checked and read, by provider name (undefined: no such provider). */
export interface SignedReceipts {
  /** A Vonage delivery receipt's parameters (the query of a GET, the form or JSON of a POST). */
  vonage(providerName: string): ((params: Record<string, string>, nowMs: number) => CheckedReceipt) | undefined;
  /** An HTTP gateway's receipt: its two signature headers and the body as received. */
  http(providerName: string): ((headers: { timestamp: unknown; signature: unknown }, body: string, nowMs: number) => CheckedReceipt) | undefined;
}

type Kind = keyof SignedReceipts;

/**
 * The receipts of Vonage providers (/callbacks/vonage/{provider}: GET with a query, POST with a
 * form or JSON, as the account's webhook method is set) and of HTTP gateways
 * (/callbacks/http/{provider}: POST with JSON). No account credentials: a receipt is accepted only
 * signed with that provider's secret at a recent timestamp; otherwise 403 and nothing changes.
 * Any 2xx acknowledges, so a receipt about nothing verifyd knows is acknowledged too (204).
 */
export function receiptCallbacksScope(ctx: ApiContext, credentials: CredentialRules, receipts: SignedReceipts, kind: Kind) {
  return async (scope: FastifyInstance): Promise<void> => {
    await twilioWire(scope, ctx.cors);
    // Kept as text: the gateway's signature is over the body exactly as sent; Vonage's JSON is read below.
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    credentials.require(scope, null);
    scope.setNotFoundHandler(notFoundHandler(ctx.routes));

    const handle = async (req: FastifyRequest, reply: FastifyReply) => {
      const providerName = pathParam(req, 'provider');
      const checked = check(req, providerName);
      if (checked === undefined) throw notFound(`/callbacks/${kind}/${providerName}`);
      if (checked === 'forged') throw new TwilioError(20403, 'Invalid receipt signature');
      if ('malformed' in checked) throw new TwilioError(400, `Malformed receipt: ${checked.malformed}`);
      if (checked.receipt) {
        const { messageId, status, errorCode } = checked.receipt;
        await recordReceipt(ctx.attempts, { providerName, providerMessageId: messageId, status, errorCode });
      }
      return reply.code(204).send();
    };

    const check = (req: FastifyRequest, providerName: string): CheckedReceipt | undefined => {
      const now = ctx.attempts.clock.now().getTime();
      if (kind === 'http') {
        const body = typeof req.body === 'string' ? req.body : '';
        return receipts.http(providerName)?.({ timestamp: req.headers[TIMESTAMP_HEADER], signature: req.headers[SIGNATURE_HEADER] }, body, now);
      }
      const params = req.method === 'GET' ? req.query : typeof req.body === 'string' ? parseJsonObject(req.body) : req.body;
      return receipts.vonage(providerName)?.(stringsOf(params), now);
    };

    route(scope, ctx, 'POST', ':provider', handle);
    if (kind === 'vonage') route(scope, ctx, 'GET', ':provider', handle);
  };
}

/** The string-valued fields (Vonage sends every field as a string; anything else is not signed and not read). */
function stringsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
