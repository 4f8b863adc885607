import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordReceipt } from '../../domain/attempts/receipts.js';
import { TwilioError, notFound } from '../../domain/errors.js';
import { validFormSignature } from '../../events/signature.js';
import { pathParam, route, type ApiContext } from '../context.js';
import type { Params } from '../params.js';
import type { CredentialRules } from '../plugins/auth.js';
import { notFoundHandler } from '../plugins/errors.js';
import { twilioWire } from '../plugins/twilio-wire.js';

/** The auth tokens of the configured Twilio providers, by provider name: their callbacks are signed with them. */
export interface TwilioCallbackTokens {
  authTokenFor(providerName: string): string | undefined;
  /** The answer to a call's key press: TwiML that reads the code sealed in the query, or hangs up (channels/twilio/gather.ts). */
  spokenCodeTwiml(providerName: string, query: Record<string, unknown>): string;
}

/** What a message's MessageStatus may set: the Attempts API's message_status values a sender's receipt can report. */
const MESSAGE_STATUSES = new Set(['queued', 'accepted', 'scheduled', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'canceled', 'partially_delivered']);
/** CallStatus values in the Attempts API's call_status enum (`initiated` is not: the attempt stays queued). */
const CALL_STATUSES = new Set(['queued', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled']);

/**
 * The status callbacks of Twilio providers, registered under /callbacks/twilio/:
 * POST {provider}/messages and {provider}/calls, and {provider}/calls/gather, a call's key press
 * (answered with TwiML). No account credentials: a callback is accepted
 * only with an X-Twilio-Signature made with that provider's auth token over the URL verifyd
 * published (PUBLIC_BASE_URL) and the form; otherwise 403 and nothing changes.
 */
export function twilioCallbacksScope(ctx: ApiContext, credentials: CredentialRules, tokens: TwilioCallbackTokens) {
  return async (scope: FastifyInstance): Promise<void> => {
    await twilioWire(scope, ctx.cors);
    credentials.require(scope, null);
    scope.setNotFoundHandler(notFoundHandler(ctx.routes));

    /** The provider the callback names, once its X-Twilio-Signature checks; 404 or 403 otherwise. */
    const signedBy = (req: FastifyRequest, kind: string): string => {
      const providerName = pathParam(req, 'provider');
      const authToken = tokens.authTokenFor(providerName);
      if (authToken === undefined) throw notFound(`/callbacks/twilio/${providerName}/${kind}`);
      const signature = req.headers['x-twilio-signature'];
      const form = (req.body ?? {}) as Record<string, string | string[]>;
      // The URL Twilio was given and signed: verifyd's public base, then the path and query as received.
      if (typeof signature !== 'string' || !validFormSignature(authToken, signature, ctx.baseUrl + req.url, form)) {
        throw new TwilioError(20403, 'Invalid X-Twilio-Signature');
      }
      return providerName;
    };

    const receipt = (kind: 'messages' | 'calls') => async (req: FastifyRequest, reply: FastifyReply, p: Params) => {
      const providerName = signedBy(req, kind);
      const [sid, status, statuses] =
        kind === 'messages'
          ? [p.str('MessageSid') ?? p.str('SmsSid'), p.str('MessageStatus') ?? p.str('SmsStatus'), MESSAGE_STATUSES]
          : [p.str('CallSid'), p.str('CallStatus'), CALL_STATUSES];
      if (sid !== undefined && status !== undefined && statuses.has(status)) {
        const code = p.str('ErrorCode');
        const errorCode = code !== undefined && /^[1-9]\d{0,8}$/.test(code) ? Number(code) : null;
        await recordReceipt(ctx.attempts, { providerName, providerMessageId: sid, status, errorCode });
      }
      // Twilio only looks at the status: any 2xx acknowledges, a receipt about nothing verifyd knows included.
      return reply.code(204).send();
    };
    route(scope, ctx, 'POST', ':provider/messages', receipt('messages'));
    route(scope, ctx, 'POST', ':provider/calls', receipt('calls'));
    // A call's key press (the Gather's action): the code in TwiML, opened from the URL Twilio signed.
    route(scope, ctx, 'POST', ':provider/calls/gather', async (req, reply) => {
      const providerName = signedBy(req, 'calls/gather');
      const twiml = tokens.spokenCodeTwiml(providerName, (req.query ?? {}) as Record<string, unknown>);
      return reply.type('text/xml').send(twiml);
    });
  };
}
