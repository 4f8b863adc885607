import { sql, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Cursor, PageQuery } from '../domain/ports.js';

/**
 * Rows strictly after (`asc`) or before (`desc`) a cursor in (date_created, sid) order, for the
 * lists read through listPage. The redundant bound on date_created alone is what both planners
 * turn into an index range; the OR by itself is a filter, which makes page N cost the N pages
 * before it (measured at 1M rows). Operators come from this fixed pair, never from input.
 */
export function beyond(cursor: Cursor, direction: 'asc' | 'desc'): RawBuilder<SqlBool> {
  const [strict, loose] = direction === 'asc' ? [sql.raw('>'), sql.raw('>=')] : [sql.raw('<'), sql.raw('<=')];
  const at = cursor.dateCreated;
  return sql<SqlBool>`(date_created ${loose} ${at} AND (date_created ${strict} ${at} OR (date_created = ${at} AND sid ${strict} ${cursor.sid})))`;
}

/**
 * One page of `q`, a list kept in `order` by (date_created, sid): the rows after the cursor in that
 * order, or (back) the rows before it read in the opposite order and reversed, so callers always
 * get listing order; without a cursor, by offset.
 */
export async function listPage<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>, page: PageQuery, order: 'asc' | 'desc'): Promise<O[]> {
  let dir = order;
  if (page.cursor) {
    if (page.back) dir = order === 'asc' ? 'desc' : 'asc';
    q = q.where(beyond(page.cursor, dir));
  } else if (page.offset > 0) {
    q = q.offset(page.offset);
  }
  const rows = await q.orderBy(sql.ref('date_created'), dir).orderBy(sql.ref('sid'), dir).limit(page.limit).execute();
  return page.cursor && page.back ? rows.reverse() : rows;
}
