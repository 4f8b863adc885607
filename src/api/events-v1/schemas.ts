import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../domain/errors.js';
import { schemaVersions, type SchemaVersionInfo } from '../../domain/events/catalog.js';
import { pathParam, route, type ApiContext } from '../context.js';
import { serializeSchema, serializeSchemaVersion } from '../serialize/event-type.js';
import { keyedEnvelope, readKeyedPage, slicePage } from './helpers.js';

export function schemaRoutes(app: FastifyInstance, ctx: ApiContext): void {
  /** The schema's versions, oldest first; a schema verifyd does not use is a 404 naming `rest`. */
  const versionsOf = (req: FastifyRequest, rest = ''): { id: string; versions: SchemaVersionInfo[] } => {
    const id = pathParam(req, 'id');
    const versions = schemaVersions(id).sort((a, b) => a.version - b.version);
    if (versions.length === 0) throw notFound(`/Schemas/${id}${rest}`);
    return { id, versions };
  };

  route(app, ctx, 'GET', '/v1/Schemas/:id', async (req) => {
    const { id, versions } = versionsOf(req);
    return serializeSchema(id, versions, ctx.baseUrl);
  });

  route(app, ctx, 'GET', '/v1/Schemas/:id/Versions', async (req, _reply, p) => {
    const { id, versions } = versionsOf(req, '/Versions');
    const page = readKeyedPage(p);
    const rows = slicePage(versions, page, (v, after) => v.version > Number(after));
    const path = `/v1/Schemas/${id}/Versions`;
    return keyedEnvelope('schema_versions', ctx.baseUrl, path, page, rows, (v) => String(v.version), (v) => serializeSchemaVersion(v, ctx.baseUrl));
  });

  route(app, ctx, 'GET', '/v1/Schemas/:id/Versions/:version', async (req) => {
    const raw = pathParam(req, 'version');
    const rest = `/Versions/${raw}`;
    const { versions } = versionsOf(req, rest);
    const version = /^\d{1,9}$/.test(raw) ? versions.find((v) => v.version === Number(raw)) : undefined;
    if (!version) throw notFound(`/Schemas/${pathParam(req, 'id')}${rest}`);
    return serializeSchemaVersion(version, ctx.baseUrl);
  });
}
