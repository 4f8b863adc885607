import { schemaUrl, type EventTypeInfo, type SchemaVersionInfo } from '../../domain/events/catalog.js';
import { iso } from './time.js';

export function serializeEventType(t: EventTypeInfo, baseUrl: string): Record<string, unknown> {
  return {
    date_created: iso(t.dateCreated),
    // The catalog never changes a published type.
    date_updated: iso(t.dateCreated),
    type: t.type,
    schema_id: t.schemaId,
    status: t.status,
    documentation_url: t.documentationUrl,
    description: t.description,
    url: `${baseUrl}/v1/Types/${t.type}`,
    links: { schema: `${baseUrl}/v1/Schemas/${t.schemaId}/Versions` },
  };
}

/** A schema with its newest version; `versions` is non-empty (an unknown schema is a 404 before this). */
export function serializeSchema(id: string, versions: SchemaVersionInfo[], baseUrl: string): Record<string, unknown> {
  const latest = versions.reduce((a, b) => (b.version > a.version ? b : a));
  const url = `${baseUrl}/v1/Schemas/${id}`;
  return {
    id,
    url,
    latest_version_date_created: iso(latest.dateCreated),
    latest_version: latest.version,
    links: { versions: `${url}/Versions` },
  };
}

export function serializeSchemaVersion(v: SchemaVersionInfo, baseUrl: string): Record<string, unknown> {
  return {
    id: v.id,
    schema_version: v.version,
    date_created: iso(v.dateCreated),
    url: `${baseUrl}/v1/Schemas/${v.id}/Versions/${v.version}`,
    raw: schemaUrl(v.id, v.version),
  };
}
