/** Keyset position for lists ordered by (dateCreated, sid). */
export interface Cursor {
  dateCreated: number;
  sid: string;
}

/**
 * One page of a list in its listing order: the rows after `cursor`, or with `back` the rows just
 * before it (still returned in listing order); without a cursor, the rows from `offset`.
 */
export interface PageQuery {
  cursor?: Cursor;
  back?: boolean;
  offset: number;
  limit: number;
}
