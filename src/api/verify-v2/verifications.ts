import type { FastifyInstance } from 'fastify';
import { checkVerification } from '../../domain/verification/check.js';
import { currentSnaUrl, startVerification } from '../../domain/verification/start.js';
import { fetchVerification, updateVerification, verificationSends } from '../../domain/verification/update.js';
import type { Verification } from '../../domain/types.js';
import { pathParam, route, type ApiContext } from '../context.js';
import { serializeCheck, serializeVerification } from '../serialize/verification.js';
import { serviceInPath } from './service-scope.js';
import { readStartInput } from './verification-params.js';

export function verificationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps = ctx.verifications;
  const show = async (v: Verification) => {
    const sends = await verificationSends(deps, v);
    return serializeVerification(v, sends, currentSnaUrl(deps, v, sends), ctx.baseUrl);
  };

  route(app, ctx, 'POST', '/v2/Services/:serviceSid/Verifications', async (req, reply, p) => {
    const service = await serviceInPath(ctx, req, '/Verifications');
    const { verification, sends, snaUrl } = await startVerification(deps, service, readStartInput(p));
    return reply.code(201).send(serializeVerification(verification, sends, snaUrl, ctx.baseUrl));
  });

  route(app, ctx, 'GET', '/v2/Services/:serviceSid/Verifications/:ref', async (req) => {
    const ref = pathParam(req, 'ref');
    const service = await serviceInPath(ctx, req, `/Verifications/${ref}`);
    return show(await fetchVerification(deps, service, ref));
  });

  route(app, ctx, 'POST', '/v2/Services/:serviceSid/Verifications/:ref', async (req, _reply, p) => {
    const ref = pathParam(req, 'ref');
    const service = await serviceInPath(ctx, req, `/Verifications/${ref}`);
    return show(await updateVerification(deps, service, ref, p.required('Status')));
  });

  route(app, ctx, 'POST', '/v2/Services/:serviceSid/VerificationCheck', async (req, _reply, p) => {
    const service = await serviceInPath(ctx, req, '/VerificationCheck');
    const result = await checkVerification(deps, service, {
      code: p.str('Code') ?? null,
      to: p.str('To') ?? null,
      verificationSid: p.str('VerificationSid') ?? null,
      amount: p.str('Amount') ?? null,
      payee: p.str('Payee') ?? null,
      snaClientToken: p.str('SnaClientToken') ?? null,
    });
    return serializeCheck(result);
  });
}
