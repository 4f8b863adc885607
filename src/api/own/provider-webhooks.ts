import { type KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordReceipt, type Receipt } from '../../domain/attempts/receipts.js';
import { TwilioError, notFound } from '../../domain/errors.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, eventReceipts, validEventSignature } from '../../channels/sendgrid/webhooks.js';
import { statusReceipts, validHubSignature } from '../../channels/whatsapp-cloud/webhooks.js';
import { pathParam, type ApiContext } from '../context.js';
import type { CredentialRules } from '../plugins/auth.js';
import { notFoundHandler, twilioErrorHandler } from '../plugins/errors.js';
import { sameText } from '../../domain/constant-time.js';

/** The secrets the configured WhatsApp Cloud and SendGrid providers' webhooks are checked with, by provider name. */
export interface ProviderWebhookSecrets {
  /** `senderOf`: the provider of the app's number a status names (`metadata.phone_number_id`), this one when none is configured. */
  whatsappCloud(providerName: string): { appSecret: string; verifyToken: string; senderOf(phoneNumberId: unknown): string } | undefined;
  /** `eventWebhookKey` null: the provider takes no receipts (no key configured). */
  sendgrid(providerName: string): { eventWebhookKey: KeyObject | null } | undefined;
}

/**
 * A scope for a carrier's JSON webhooks: no account credentials (the carrier's signature is the
 * credential), every body kept as the raw bytes it was signed as, and Twilio's error JSON for
 * every failure, as verifyd's other routes answer.
 */
function webhookWire(scope: FastifyInstance, ctx: ApiContext, credentials: CredentialRules): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  scope.setErrorHandler(twilioErrorHandler);
  credentials.require(scope, null);
  scope.setNotFoundHandler(notFoundHandler(ctx.routes));
}

const rawBody = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

/** The body as JSON, once its signature checked; a body that is not JSON names nothing verifyd knows. */
function parsed(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function record(ctx: ApiContext, receipts: readonly Receipt[]): Promise<void> {
  // In order: a payload can hold several statuses of one message (sent, then delivered).
  for (const r of receipts) await recordReceipt(ctx.attempts, r);
}

/**
 * Meta's webhooks for `whatsapp_cloud` providers, under /callbacks/whatsapp-cloud/{provider}:
 * GET is the subscription handshake (the challenge echoed when `hub.verify_token` is the
 * provider's), POST carries message statuses, accepted only with the app secret's
 * X-Hub-Signature-256 over the raw body; otherwise 403 and nothing changes.
 */
export function whatsappCloudScope(ctx: ApiContext, credentials: CredentialRules, secrets: ProviderWebhookSecrets) {
  return async (scope: FastifyInstance): Promise<void> => {
    webhookWire(scope, ctx, credentials);
    const secretsOf = (req: FastifyRequest) => {
      const name = pathParam(req, 'provider');
      const s = secrets.whatsappCloud(name);
      if (!s) throw notFound(`/callbacks/whatsapp-cloud/${name}`);
      return { name, ...s };
    };
    ctx.routes.add(`${scope.prefix}:provider`);
    scope.get(':provider', async (req: FastifyRequest, reply: FastifyReply) => {
      const { verifyToken } = secretsOf(req);
      const q = (req.query ?? {}) as Record<string, unknown>;
      const token = q['hub.verify_token'];
      const challenge = q['hub.challenge'];
      if (q['hub.mode'] !== 'subscribe' || typeof token !== 'string' || !sameText(token, verifyToken) || typeof challenge !== 'string') {
        throw new TwilioError(20403, 'Invalid hub.verify_token');
      }
      return reply.type('text/plain').send(challenge);
    });
    scope.post(':provider', async (req: FastifyRequest, reply: FastifyReply) => {
      const { appSecret, senderOf } = secretsOf(req);
      const body = rawBody(req);
      if (!validHubSignature(appSecret, body, req.headers['x-hub-signature-256'])) throw new TwilioError(20403, 'Invalid X-Hub-Signature-256');
      await record(ctx, statusReceipts(senderOf, parsed(body)));
      // Meta retries anything but a 200.
      return reply.code(200).send();
    });
  };
}

/**
 * SendGrid's Event Webhook for `sendgrid` providers, at /callbacks/sendgrid/{provider}: accepted
 * only with a valid signature made with the key the provider's `event_webhook_public_key` verifies
 * (a provider without one accepts nothing); otherwise 403 and nothing changes.
 */
export function sendgridScope(ctx: ApiContext, credentials: CredentialRules, secrets: ProviderWebhookSecrets) {
  return async (scope: FastifyInstance): Promise<void> => {
    webhookWire(scope, ctx, credentials);
    ctx.routes.add(`${scope.prefix}:provider`);
    scope.post(':provider', async (req: FastifyRequest, reply: FastifyReply) => {
      const name = pathParam(req, 'provider');
      const s = secrets.sendgrid(name);
      if (!s) throw notFound(`/callbacks/sendgrid/${name}`);
      const body = rawBody(req);
      if (!s.eventWebhookKey || !validEventSignature(s.eventWebhookKey, req.headers[TIMESTAMP_HEADER], body, req.headers[SIGNATURE_HEADER])) {
        throw new TwilioError(20403, 'Invalid X-Twilio-Email-Event-Webhook-Signature');
      }
      await record(ctx, eventReceipts(name, parsed(body)));
      return reply.code(204).send();
    });
  };
}
