/** The printed table and the target verdicts. */
import type { RunFigures } from './common.js';

export interface Row {
  scenario: 'bare' | 'start' | 'check';
  store: string;
  figures: RunFigures;
  rssMb: number | null;
}

// From the issue: on SQLite, start >= 25% and check >= 35% of the bare server's req/s, p99 < 25 ms, RSS < 200 MB.
const TARGET_RATIO = { start: 0.25, check: 0.35 } as const;
const TARGET_P99_MS = 25;
const TARGET_RSS_MB = 200;

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));

export function printReport(rows: Row[], notes: string[], opts: { connections: number; duration: number }): void {
  const bare = rows.find((r) => r.scenario === 'bare');
  const head = ['scenario', 'store', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs bare', 'peak RSS MB', 'srv CPU', 'load CPU', 'other CPU', 'srv us/req'];
  const widths = [9, 10, 9, 7, 7, 8, 7, 8, 12, 8, 9, 10, 11];
  const perRequest = (f: RunFigures) => (f.cpu?.server == null || f.rps === 0 ? 'n/a' : ((f.cpu.server / f.rps) * 1e6).toFixed(0));
  const cores = (n: number | null | undefined) => (n == null ? 'n/a' : n.toFixed(2));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, i >= 2)).join(' ');
  const out: string[] = ['', `Results (${opts.connections} connections, ${opts.duration} s measured per run, 127.0.0.1)`, ''];
  out.push(line(head));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) {
    const f = r.figures;
    const ratio = bare && r.scenario !== 'bare' ? `${((f.rps / bare.figures.rps) * 100).toFixed(1)}%` : r.scenario === 'bare' ? '100%' : '-';
    out.push(
      line([
        r.scenario,
        r.store,
        f.rps.toFixed(0),
        String(f.p50),
        String(f.p99),
        String(f.non2xx),
        String(f.errors + f.timeouts),
        ratio,
        r.rssMb === null ? 'n/a' : r.rssMb.toFixed(1),
        cores(f.cpu?.server),
        cores(f.cpu?.client),
        cores(f.cpu?.other),
        perRequest(f),
      ]),
    );
  }
  out.push('CPU columns: average cores used during the measured run by the server process, the load generator, and');
  out.push('everything else on the machine (for postgres that includes the PostgreSQL backends); srv us/req is the');
  out.push('server CPU time per request, which depends much less than req/s on what else the machine is running.');
  out.push('');
  for (const r of rows.filter((r) => r.figures.non2xx > 0)) {
    out.push(`non-2xx in ${r.scenario}/${r.store}: ${JSON.stringify(r.figures.statusCodes)}`);
  }

  const sqlite = rows.filter((r) => r.store === 'sqlite');
  if (bare && sqlite.length > 0) {
    out.push('Targets (SQLite):');
    for (const r of sqlite) {
      if (r.scenario === 'bare') continue;
      const ratio = r.figures.rps / bare.figures.rps;
      const want = TARGET_RATIO[r.scenario];
      out.push(`  ${r.scenario} throughput ${(ratio * 100).toFixed(1)}% of bare (target >= ${want * 100}%): ${ratio >= want ? 'met' : 'NOT met'}`);
      out.push(`  ${r.scenario} p99 ${r.figures.p99} ms (target < ${TARGET_P99_MS} ms): ${r.figures.p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`);
      if (r.figures.non2xx + r.figures.errors + r.figures.timeouts > 0) out.push(`  ${r.scenario}: run had non-2xx responses or errors`);
    }
    const rss = Math.max(...sqlite.map((r) => r.rssMb ?? Infinity));
    out.push(`  peak RSS ${Number.isFinite(rss) ? rss.toFixed(1) : 'n/a'} MB (target < ${TARGET_RSS_MB} MB): ${rss < TARGET_RSS_MB ? 'met' : 'NOT met'}`);
  }
  for (const n of notes) out.push(n);
  process.stdout.write(`${out.join('\n')}\n`);
}
