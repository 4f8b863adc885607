/**
 * The bundled carrier lookup's cost per start (BENCHMARKS.md, "Carrier lookup"): one number per
 * country of the lookup tests, looked up in turn, after a first pass that loads each country's
 * carrier prefixes. In process, no server: `npx tsx bench/lookup.ts`.
 */
import { BundledLookup } from '../src/lookup/bundled.js';

const NUMBERS = ['+15017122661', '+16135550123', '+447400123456', '+442071838750', '+4915123456789', '+33612345678', '+919876543210', '+5511987654321', '+2348031234567', '+819012345678', '+61412345678', '+573003003030'];
const lookup = new BundledLookup();

const cold = performance.now();
for (const e164 of NUMBERS) await lookup.lookup({ e164, country: null });
const coldMs = performance.now() - cold;

const rounds = Number(process.env.LOOKUP_ROUNDS ?? 20_000);
const started = performance.now();
for (let i = 0; i < rounds; i++) await lookup.lookup({ e164: NUMBERS[i % NUMBERS.length]!, country: null });
const perLookupUs = ((performance.now() - started) * 1000) / rounds;

const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
console.log(JSON.stringify({ countries: NUMBERS.length, firstPassMs: Math.round(coldMs), rounds, perLookupUs: Number(perLookupUs.toFixed(1)), rssMb: rss }));
