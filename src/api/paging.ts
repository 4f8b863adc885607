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
  const items = rows.slice(0, req.pageSize);
  // Filters ride along in every page URL: the SDK fetches next_page_url as it is.
  const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined));
  const prefix = query.size > 0 ? `${query.toString()}&` : '';
  const pageUrl = (page: number, token?: string) =>
    `${baseUrl}${path}?${prefix}PageSize=${req.pageSize}&Page=${page}${token ? `&PageToken=${token}` : ''}`;
  const last = items[items.length - 1];
  const hasNext = rows.length > req.pageSize && last !== undefined;
  return {
    [key]: items.map(serialize),
    meta: {
      page: req.page,
      page_size: req.pageSize,
      first_page_url: pageUrl(0),
      // Previous pages are addressed by offset: the keyset token only runs forwards.
      previous_page_url: req.page > 0 ? pageUrl(req.page - 1) : null,
      url: pageUrl(req.page, req.after ? encodeToken(req.after) : undefined),
      next_page_url: hasNext ? pageUrl(req.page + 1, encodeToken({ dateCreated: last.dateCreated, sid: last.sid })) : null,
      key,
    },
  };
}
