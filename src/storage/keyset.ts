import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Cursor } from '../domain/ports.js';

/**
 * Rows strictly after (`asc`) or before (`desc`) a cursor in (date_created, sid) order, for the
 * services and attempts lists. The redundant bound on date_created alone is what both planners
 * turn into an index range; the OR by itself is a filter, which makes page N cost the N pages
 * before it (measured at 1M rows). Operators come from this fixed pair, never from input.
 */
export function beyond(cursor: Cursor, direction: 'asc' | 'desc'): RawBuilder<SqlBool> {
  const [strict, loose] = direction === 'asc' ? [sql.raw('>'), sql.raw('>=')] : [sql.raw('<'), sql.raw('<=')];
  const at = cursor.dateCreated;
  return sql<SqlBool>`(date_created ${loose} ${at} AND (date_created ${strict} ${at} OR (date_created = ${at} AND sid ${strict} ${cursor.sid})))`;
}
