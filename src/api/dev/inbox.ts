import type { FastifyInstance } from 'fastify';
import { verifyInvalidParam } from '../../domain/errors.js';
import { listInboxMessages } from '../../domain/inbox.js';
import { iso } from '../serialize/time.js';
import { route, type ApiContext } from '../context.js';

/** GET /inbox/messages: what the inbox provider "delivered", newest first, for the caller's account. */
export function inboxRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'GET', '/inbox/messages', async (req, _reply, p) => {
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
