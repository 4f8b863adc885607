import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

// Preflight (OPTIONS) is not offered: the API takes account credentials, which do not belong in a browser.
async function corsHeaders(_req: FastifyRequest, reply: FastifyReply): Promise<void> {
  void reply.header('Access-Control-Allow-Origin', '*');
  void reply.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
  void reply.header('Access-Control-Allow-Methods', 'GET, POST, DELETE');
}
