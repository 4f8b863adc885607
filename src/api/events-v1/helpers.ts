import type { FastifyRequest } from 'fastify';
import { eventsInvalidParam, notFound } from '../../domain/errors.js';
import { isSid } from '../../domain/ids.js';
import { pathParam } from '../context.js';
import { Params } from '../params.js';
import { pagedEnvelope, readPage } from '../paging.js';

/** The SID in the path; a malformed one names nothing (404), as on the Verify routes. */
export function sidInPath(req: FastifyRequest, name: string, prefix: string, path: (sid: string) => string): string {
  const sid = pathParam(req, name);
  if (!isSid(sid, prefix)) throw notFound(path(sid));
  return sid;
}

export interface KeyedPage {
  page: number;
  pageSize: number;
  offset: number;
  /** The key of the last row of the previous page. */
  after?: string;
}

/**
 * Paging for lists ordered by a key other than (date_created, sid): event types, schema versions,
 * a subscription's types. The PageToken carries the last key of the previous page.
 */
export function readKeyedPage(p: Params): KeyedPage {
  const token = p.str('PageToken');
  const { page, pageSize, offset } = readPage(new Params({ PageSize: p.str('PageSize'), Page: p.str('Page') }, p.invalid), { token: token !== undefined });
  return { page, pageSize, offset, after: token === undefined ? undefined : decodeKey(token) };
}

const encodeKey = (key: string): string => 'PT' + Buffer.from(key).toString('base64url');

function decodeKey(token: string): string {
  const key = token.startsWith('PT') ? Buffer.from(token.slice(2), 'base64url').toString('utf8') : '';
  // Event types and versions only ever hold these characters.
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(key)) throw eventsInvalidParam('PageToken');
  return key;
}

/** One page (plus one row, to tell whether another follows) of a list held in memory. */
export function slicePage<T>(all: T[], req: KeyedPage, isAfter: (row: T, key: string) => boolean): T[] {
  let start = req.offset;
  const after = req.after;
  if (after !== undefined) {
    const i = all.findIndex((r) => isAfter(r, after));
    start = i < 0 ? all.length : i;
  }
  return all.slice(start, start + req.pageSize + 1);
}

/** Twilio's list envelope for lists keyed by a type or version; `rows` holds up to pageSize + 1 items. */
export function keyedEnvelope<T>(
  key: string,
  baseUrl: string,
  path: string,
  req: KeyedPage,
  rows: T[],
  keyOf: (row: T) => string,
  serialize: (row: T) => unknown,
  filters: Record<string, string | undefined> = {},
): Record<string, unknown> {
  const at = { page: req.page, pageSize: req.pageSize, token: req.after === undefined ? undefined : encodeKey(req.after) };
  return pagedEnvelope(key, baseUrl, path, at, rows, { after: (last) => encodeKey(keyOf(last)) }, serialize, filters);
}
