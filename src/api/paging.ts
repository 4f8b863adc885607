import { invalidParam } from '../domain/errors.js';
import type { Cursor } from '../domain/ports.js';
import type { Params } from './params.js';

export interface PageRequest {
  page: number;
  pageSize: number;
  after?: Cursor;
  offset: number;
}

export function readPage(p: Params): PageRequest {
  const pageSize = p.int('PageSize') ?? 50;
  if (pageSize < 1 || pageSize > 1000) throw invalidParam('PageSize');
  const page = p.int('Page') ?? 0;
  if (page < 0) throw invalidParam('Page');
  const token = p.str('PageToken');
  const after = token === undefined ? undefined : decodeToken(token);
  return { page, pageSize, after, offset: page * pageSize };
}

/** Opaque keyset token: "PA" + base64url("<dateCreated>:<sid>") of the last row of the previous page. */
export function encodeToken(c: Cursor): string {
  return 'PA' + Buffer.from(`${c.dateCreated}:${c.sid}`).toString('base64url');
}

function decodeToken(token: string): Cursor {
  if (!token.startsWith('PA')) throw invalidParam('PageToken');
  const raw = Buffer.from(token.slice(2), 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([A-Za-z]{2}[0-9a-fA-F]{32})$/.exec(raw);
  if (!m) throw invalidParam('PageToken');
  return { dateCreated: Number(m[1]), sid: m[2] as string };
}

/**
 * Twilio's list envelope. The SDK follows next_page_url verbatim, so every URL is on verifyd's own
 * base. `rows` holds up to pageSize + 1 items; the extra one only says that a next page exists.
 */
export function envelope<T extends { sid: string; dateCreated: number }>(
  key: string,
  baseUrl: string,
  path: string,
  req: PageRequest,
  rows: T[],
  serialize: (row: T) => unknown,
  filters: Record<string, string | undefined> = {},
): Record<string, unknown> {
  const at = { page: req.page, pageSize: req.pageSize, token: req.after ? encodeToken(req.after) : undefined };
  return pagedEnvelope(key, baseUrl, path, at, rows, (last) => encodeToken({ dateCreated: last.dateCreated, sid: last.sid }), serialize, filters);
}

/**
 * The envelope for any keyset: `tokenOf` gives the PageToken that continues after a row, and
 * `at.token` is the one this page was asked with.
 */
export function pagedEnvelope<T>(
  key: string,
  baseUrl: string,
  path: string,
  at: { page: number; pageSize: number; token: string | undefined },
  rows: T[],
  tokenOf: (last: T) => string,
  serialize: (row: T) => unknown,
  filters: Record<string, string | undefined> = {},
): Record<string, unknown> {
  const items = rows.slice(0, at.pageSize);
  // Filters ride along in every page URL: the SDK fetches next_page_url as it is.
  const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined));
  const prefix = query.size > 0 ? `${query.toString()}&` : '';
  const pageUrl = (page: number, token?: string) =>
    `${baseUrl}${path}?${prefix}PageSize=${at.pageSize}&Page=${page}${token ? `&PageToken=${token}` : ''}`;
  const last = items[items.length - 1];
  const hasNext = rows.length > at.pageSize && last !== undefined;
  return {
    [key]: items.map(serialize),
    meta: {
      page: at.page,
      page_size: at.pageSize,
      first_page_url: pageUrl(0),
      // Previous pages are addressed by offset: the keyset token only runs forwards.
      previous_page_url: at.page > 0 ? pageUrl(at.page - 1) : null,
      url: pageUrl(at.page, at.token),
      next_page_url: hasNext ? pageUrl(at.page + 1, tokenOf(last)) : null,
      key,
    },
  };
}
