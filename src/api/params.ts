import type { TwilioError } from '../domain/errors.js';
import { isSid } from '../domain/ids.js';

/** A parsed form body or query string: repeated keys arrive as arrays. */
export type Form = Record<string, string | string[] | undefined>;

/** The error for a bad parameter in one API family: verifyInvalidParam (60200) or eventsInvalidParam (20001). */
export type InvalidParam = (name: string) => TwilioError;

/** Reading PascalCase wire parameters into typed values; every bad value is `invalid` naming it. */
export class Params {
  constructor(
    private readonly form: Form,
    readonly invalid: InvalidParam,
  ) {}

  /** A repeated scalar takes its first value, as Twilio does. */
  str(name: string): string | undefined {
    const v = this.form[name];
    return Array.isArray(v) ? v[0] : v;
  }

  /** Every value of a repeated parameter (Types=…&Types=…). */
  all(name: string): string[] {
    const v = this.form[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === '') throw this.invalid(name);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw this.invalid(name);
  }

  int(name: string): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (!/^-?\d{1,9}$/.test(v)) throw this.invalid(name);
    return Number(v);
  }

  sid(name: string, prefix: string): string | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (!isSid(v, prefix)) throw this.invalid(name);
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) throw this.invalid(name);
    return v as T;
  }

  /** A parameter carrying a JSON object (Tags, RateLimits, ChannelConfiguration, ...). */
  jsonObject(name: string): Record<string, unknown> | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw this.invalid(name);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw this.invalid(name);
    // `\u0000` escapes decode to NUL, which PostgreSQL's jsonb/text reject (a 500 otherwise); deep
    // nesting would overflow the stack of anything that walks the value later.
    if (!isPlainEnough(parsed)) throw this.invalid(name);
    return parsed as Record<string, unknown>;
  }
}

const MAX_JSON_DEPTH = 32;

/** No NUL anywhere and no deeper than MAX_JSON_DEPTH, checked without recursion. */
function isPlainEnough(root: unknown): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return false;
    } else if (value !== null && typeof value === 'object') {
      if (depth > MAX_JSON_DEPTH) return false;
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) return false;
        stack.push([v, depth + 1]);
      }
    }
  }
  return true;
}
