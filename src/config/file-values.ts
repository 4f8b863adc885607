/** What the configuration file's readers (file.ts, geo-file.ts, pumping-file.ts) share. */

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Unknown keys of a mapping, each a problem. */
export function onlyKeys(value: Record<string, unknown>, at: string, keys: readonly string[], problems: string[]): void {
  for (const k of Object.keys(value).filter((k) => !keys.includes(k))) problems.push(`${at}.${k}: is not one of ${keys.join(', ')}`);
}
