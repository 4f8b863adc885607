import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { CorsPolicy } from './cors.js';
import { twilioErrorHandler } from './errors.js';

/**
 * The wire rules of the Twilio API, which verifyd's own routes follow too: form bodies only
 * (Twilio's API takes no JSON, so a JSON body is a client mistake), Twilio's error JSON for every
 * failure, and CORS for the allowed origins (preflights answered, the headers on every response).
 * Each scope applies them to itself, before its credential rule; a scope with other needs (a
 * console, metrics) sets its own instead.
 */
export async function twilioWire(scope: FastifyInstance, cors: CorsPolicy): Promise<void> {
  scope.removeAllContentTypeParsers();
  await scope.register(formbody);
  scope.setErrorHandler(twilioErrorHandler);
  scope.addHook('onRequest', cors.preflight);
  scope.addHook('onSend', cors.onSend);
}
