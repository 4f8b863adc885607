/**
 * Thrown by a store when the database cannot be reached: no connection could be had in time, or
 * the one in use was lost (terminated by the server, reset, refused). Nothing is known to have
 * been written; the request may be tried again. The API answers it with 503 (20503).
 */
export class StoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the database cannot be reached: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StoreUnavailable';
  }
}
