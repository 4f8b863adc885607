import type { FastifyInstance } from 'fastify';
import { verifyInvalidParam } from '../../domain/errors.js';
import { listInboxMessages } from '../../domain/inbox.js';
import type { CredentialRules } from '../plugins/auth.js';
import { twilioWire } from '../plugins/twilio-wire.js';
import { iso } from '../serialize/time.js';
import { route, type ApiContext } from '../context.js';

/** The inbox scope (registered under /inbox): Twilio's wire rules and account credentials. */
export function inboxScope(ctx: ApiContext, credentials: CredentialRules) {
  return async (scope: FastifyInstance): Promise<void> => {
    await twilioWire(scope, ctx.cors);
    credentials.require(scope, credentials.account);
    inboxRoutes(scope, ctx);
  };
}

/** GET /inbox/messages: what the inbox provider "delivered", newest first, for the caller's account. */
function inboxRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'GET', '/messages', async (req, _reply, p) => {
    const limit = p.int('PageSize') ?? 50;
    if (limit < 1 || limit > 1000) throw verifyInvalidParam('PageSize');
    const messages = await listInboxMessages(
      ctx.inbox,
      req.accountSid,
      { to: p.str('To'), channel: p.str('Channel'), serviceSid: p.str('ServiceSid') },
      limit,
    );
    return {
      messages: messages.map((m) => ({
        to: m.to,
        channel: m.channel,
        locale: m.locale,
        subject: m.subject,
        body: m.body,
        code: m.code,
        service_sid: m.serviceSid,
        verification_sid: m.verificationSid,
        attempt_sid: m.attemptSid,
        date_created: iso(m.dateCreated),
      })),
    };
  });
}
