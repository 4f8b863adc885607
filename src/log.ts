/**
 * What verifyd's parts write their log lines through: pino's logger fits it, and tests pass a stub.
 * A part takes only the levels it uses (`Pick<Log, 'error'>`), so a stub needs no more.
 */
export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
