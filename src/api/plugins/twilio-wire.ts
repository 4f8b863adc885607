import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CORS_HEADERS } from './cors.js';
import { twilioErrorHandler } from './errors.js';

/**
 * The wire rules of the Twilio API, which verifyd's own routes follow too: form bodies only
 * (Twilio's API takes no JSON, so a JSON body is a client mistake), Twilio's error JSON for every
 * failure, and the CORS headers the spec declares on every response. Each scope applies them to
 * itself; a scope with other needs (a console, metrics) sets its own instead.
 */
export async function twilioWire(scope: FastifyInstance): Promise<void> {
  scope.removeAllContentTypeParsers();
  await scope.register(formbody);
  scope.setErrorHandler(twilioErrorHandler);
  scope.addHook('onSend', corsHeaders);
}

async function corsHeaders(_req: FastifyRequest, reply: FastifyReply): Promise<void> {
  void reply.headers(CORS_HEADERS);
}
