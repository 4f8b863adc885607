import type { Cursor, PageQuery } from '../domain/ports.js';
import { TwilioError } from '../domain/errors.js';
import type { InvalidParam, Params } from './params.js';

export interface PageRequest {
  page: number;
  pageSize: number;
  /** From PageToken: the row this page continues after, or (back) ends just before. */
  cursor?: Cursor;
  back: boolean;
  offset: number;
}

/**
 * How deep a list may be read by Page alone: an offset makes the database walk every row before it,
 * so a request for page 10^6 would cost a million rows. Past this many rows a client follows
 * next_page_url, whose PageToken costs what page 0 costs at any depth (docs/security.md).
 */
export const MAX_PAGE_OFFSET = 10_000;

/** `keyed`: the list has a PageToken of its own (readKeyedPage), so Page is not an offset then. */
export function readPage(p: Params, keyed?: { token: boolean }): PageRequest {
  const pageSize = p.int('PageSize') ?? 50;
  if (pageSize < 1 || pageSize > 1000) throw p.invalid('PageSize');
  const page = p.int('Page') ?? 0;
  if (page < 0) throw p.invalid('Page');
  const token = p.str('PageToken');
  const decoded = token === undefined ? undefined : decodeToken(token, p.invalid);
  if (decoded === undefined && !keyed?.token) refuseDeepOffset(page * pageSize, p.invalid);
  return { page, pageSize, cursor: decoded?.cursor, back: decoded?.back ?? false, offset: page * pageSize };
}

/** An offset past MAX_PAGE_OFFSET: the family's bad-parameter code (60200, 20001) with what to do instead. */
export function refuseDeepOffset(offset: number, invalid: InvalidParam): void {
  if (offset <= MAX_PAGE_OFFSET) return;
  const { code } = invalid('Page');
  throw new TwilioError(code, `Invalid parameter Page: lists are read by Page up to ${MAX_PAGE_OFFSET} rows deep; follow next_page_url (PageToken) beyond`);
}

/** What the store is asked for: one row more than the page, which only says that more rows exist. */
export const pageQuery = (req: PageRequest): PageQuery => ({ cursor: req.cursor, back: req.back, offset: req.offset, limit: req.pageSize + 1 });

/**
 * Opaque keyset tokens, as Twilio's: "PA" + base64url("<dateCreated>:<sid>") continues after that
 * row (next pages), "PB" + the same ends just before it (previous pages). Both cost what page 1
 * costs, however deep.
 */
export function encodeToken(c: Cursor, back = false): string {
  return (back ? 'PB' : 'PA') + Buffer.from(`${c.dateCreated}:${c.sid}`).toString('base64url');
}

function decodeToken(token: string, invalid: InvalidParam): { cursor: Cursor; back: boolean } {
  const back = token.startsWith('PB');
  if (!back && !token.startsWith('PA')) throw invalid('PageToken');
  const raw = Buffer.from(token.slice(2), 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([A-Za-z]{2}[0-9a-fA-F]{32})$/.exec(raw);
  if (!m) throw invalid('PageToken');
  return { cursor: { dateCreated: Number(m[1]), sid: m[2] as string }, back };
}

/**
 * Twilio's list envelope. The SDK follows next_page_url verbatim, so every URL is on verifyd's own
 * base. `rows` holds up to pageSize + 1 items in listing order; the extra one only says that more
 * rows exist on the side the page was read towards.
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
  const cursorOf = (row: T): Cursor => ({ dateCreated: row.dateCreated, sid: row.sid });
  const at = { page: req.page, pageSize: req.pageSize, token: req.cursor ? encodeToken(req.cursor, req.back) : undefined, back: req.back };
  return pagedEnvelope(key, baseUrl, path, at, rows, { after: (row) => encodeToken(cursorOf(row)), before: (row) => encodeToken(cursorOf(row), true) }, serialize, filters);
}

/**
 * The envelope for any keyset: `tokens.after` gives the PageToken that continues after a row,
 * `tokens.before` (where the list can be read backwards) the one that ends just before it, and
 * `at.token` is the one this page was asked with. Without `tokens.before`, previous pages are
 * addressed by offset.
 */
export function pagedEnvelope<T>(
  key: string,
  baseUrl: string,
  path: string,
  at: { page: number; pageSize: number; token: string | undefined; back?: boolean },
  rows: T[],
  tokens: { after: (row: T) => string; before?: (row: T) => string },
  serialize: (row: T) => unknown,
  filters: Record<string, string | undefined> = {},
): Record<string, unknown> {
  // Read backwards, the extra row is the farthest from the cursor: the first in listing order.
  const items = at.back ? rows.slice(-at.pageSize) : rows.slice(0, at.pageSize);
  // Filters ride along in every page URL: the SDK fetches next_page_url as it is.
  const query = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined));
  const prefix = query.size > 0 ? `${query.toString()}&` : '';
  const pageUrl = (page: number, token?: string) =>
    `${baseUrl}${path}?${prefix}PageSize=${at.pageSize}&Page=${page}${token ? `&PageToken=${token}` : ''}`;
  const first = items[0];
  const last = items[items.length - 1];
  const previousPage = Math.max(at.page - 1, 0);
  let previous: string | null;
  let next: string | null;
  if (at.back) {
    // Read backwards, only the extra row says that rows come before (whatever the page number:
    // rows may have been added or deleted meanwhile), and the page it was reached from comes after;
    // an empty page (everything before the cursor gone) leads back to the start.
    previous = rows.length > at.pageSize && first !== undefined ? pageUrl(previousPage, tokens.before!(first)) : null;
    next = last !== undefined ? pageUrl(at.page + 1, tokens.after(last)) : pageUrl(0);
  } else {
    previous = at.page === 0 ? null : first !== undefined && tokens.before ? pageUrl(previousPage, tokens.before(first)) : pageUrl(previousPage);
    next = rows.length > at.pageSize && last !== undefined ? pageUrl(at.page + 1, tokens.after(last)) : null;
  }
  return {
    [key]: items.map(serialize),
    meta: {
      page: at.page,
      page_size: at.pageSize,
      first_page_url: pageUrl(0),
      previous_page_url: previous,
      url: pageUrl(at.page, at.token),
      next_page_url: next,
      key,
    },
  };
}
