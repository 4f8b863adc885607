import { MissingParent, UniqueViolation } from '../domain/ports/violations.js';

/** Turns the drivers' constraint errors into the domain's UniqueViolation and MissingParent. */
export async function translateViolations<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new UniqueViolation(String((err as Error).message));
    if (isForeignKeyViolation(err)) throw new MissingParent(String((err as Error).message));
    throw err;
  }
}

function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
