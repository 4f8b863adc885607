/** The events scenario's printed table and verdicts. */
import type { EventsRow } from './events.js';
import type { Row } from './report.js';

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const num = (n: number | null | undefined, d = 0) => (n == null || !Number.isFinite(n) ? 'n/a' : n.toFixed(d));

export function printEvents(rows: EventsRow[], bare: Row | undefined, notes: string[], opts: { connections: number; warmup: number; duration: number }): void {
  const head = [
    'store', 'batch', 'starts/s', 'vs bare', 'start p99', 'events/s', 'ev/req', 'lag p50 ms', 'lag p99 ms', 'lag max ms',
    'drain s', 'started', 'acked', 'missing', 'extra', 'dup', 'srv CPU', 'other CPU', 'peak RSS MB',
  ];
  const widths = [10, 5, 9, 8, 9, 9, 6, 10, 10, 10, 7, 8, 8, 7, 5, 5, 7, 9, 11];
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, i >= 2)).join(' ');
  const out: string[] = [
    '',
    `Events: start load as in the start run (${opts.connections} connections, ${opts.warmup} s warm-up + ${opts.duration} s measured), ` +
      'one webhook sink subscribed to verification.pending, receiver in its own process, 127.0.0.1',
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
  ];
  if (bare) {
    const f = bare.figures;
    out.push(line(['node:http', '-', num(f.rps), '100%', String(f.p99), '', '', '', '', '', '', '', '', '', '', '', num(f.cpu?.server, 2), num(f.cpu?.other, 2), num(bare.rssMb, 1)]));
  }
  for (const r of rows) {
    const f = r.start;
    out.push(
      line([
        r.store,
        String(r.batch),
        num(f.rps),
        bare ? `${((f.rps / bare.figures.rps) * 100).toFixed(1)}%` : '-',
        String(f.p99),
        num(r.eventsPerSecond),
        num(r.eventsPerRequest, 1),
        num(r.lag.p50),
        num(r.lag.p99),
        num(r.lag.max),
        r.drainMs === null ? 'NOT' : num(r.drainMs / 1000, 1),
        String(r.started),
        String(r.acked),
        String(r.missing),
        String(r.extra),
        String(r.duplicates),
        num(f.cpu?.server, 2),
        num(f.cpu?.other, 2),
        num(r.rssMb, 1),
      ]),
    );
  }
  out.push('starts/s, start p99 (ms): the measured start run, as in the throughput table; vs bare: starts/s over the bare server\'s req/s.');
  out.push('events/s: distinct events first acknowledged by the receiver during the measured run; ev/req: events per webhook request.');
  out.push('lag: time the receiver had the whole request minus the event\'s `time` (the commit time of the start), for events');
  out.push('committed during the measured run; drain s: from the end of the load until the last event of the run was acknowledged');
  out.push('(NOT: some never arrived in time). started: verifications verifyd recorded (warm-up included); acked: distinct event ids');
  out.push('received; missing: started verifications without one; extra: verifications with more than one event id; dup: receipts');
  out.push('of an id already received. other CPU includes the receiver (and the PostgreSQL backends).');
  out.push('');
  for (const r of rows) {
    const exact = r.missing === 0 && r.extra === 0 && r.acked === r.started;
    out.push(
      `  ${r.store} batch_events=${r.batch}: every started verification produced exactly one acknowledged event: ` +
        `${exact ? 'yes' : 'NO'} (${r.acked} events for ${r.started} verifications, ${r.missing} missing, ${r.extra} extra; ${r.duplicates} duplicate receipts` +
        `${r.unreadable ? `; ${r.unreadable} unreadable` : ''})`,
    );
    // autocannon does not count the requests still in flight when it ends the warm-up and the
    // measured run (up to one per connection each time); verifyd completes them, and they count here.
    if (r.starts201 !== r.started) {
      out.push(`  ${r.store} batch_events=${r.batch}: ${r.starts201} starts counted by autocannon, ${r.started} recorded by verifyd (the rest were in flight when a run ended)`);
    }
    if (r.start.non2xx + r.start.errors + r.start.timeouts > 0) {
      out.push(`  ${r.store} batch_events=${r.batch}: start run had non-2xx or errors: ${JSON.stringify(r.start.statusCodes)}, errors ${r.start.errors}, timeouts ${r.start.timeouts}`);
    }
  }
  for (const n of notes) out.push(n);
  process.stdout.write(`${out.join('\n')}\n`);
}
