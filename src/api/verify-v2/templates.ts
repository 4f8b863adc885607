import type { FastifyInstance } from 'fastify';
import { listTemplates } from '../../domain/templates/templates.js';
import { route, type ApiContext } from '../context.js';
import { envelope, pageQuery, readPage } from '../paging.js';
import { serializeTemplate } from '../serialize/template.js';
import { readTemplateFilter } from './template-params.js';

/** GET /v2/Templates: the account's templates (created with the CLI), filtered by FriendlyName. */
export function templateRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'GET', '/v2/Templates', async (req, _reply, p) => {
    const page = readPage(p);
    const { filter, echo } = readTemplateFilter(p);
    const rows = await listTemplates(ctx.templates, req.accountSid, filter, pageQuery(page));
    return envelope('templates', ctx.baseUrl, '/v2/Templates', page, rows, serializeTemplate, echo);
  });
}
