/** The attempts scenario's printed tables, aims and plans, per store. */
import type { AttemptsRun } from './attempts.js';

// From the issue: every list query p99 < 20 ms on both stores; the summary over a million rows < 250 ms.
export const AIM_LIST_P99_MS = 20;
export const AIM_SUMMARY_MS = 250;

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const f = (n: number | undefined, d = 2) => (n === undefined || Number.isNaN(n) ? 'n/a' : n >= 100 ? n.toFixed(0) : n.toFixed(d));
const mb = (bytes: number) => (bytes / 1048576).toFixed(0);

export function printAttempts(run: AttemptsRun): void {
  const a = run.analysis;
  const out: string[] = [''];
  const total = run.seed.counts.sends - run.seed.counts.otherAccountSends;
  out.push(
    `Attempts at ${total.toLocaleString('en-US')} rows: ${run.store} (+ ${run.seed.counts.otherAccountSends} rows of a second account; ` +
      `${run.seed.counts.verifications.toLocaleString('en-US')} verifications; seeded in ${run.seed.seconds.total.toFixed(1)} s; ` +
      `verifyd peak RSS ${run.rssMb === null ? 'n/a' : run.rssMb.toFixed(0)} MB)`,
  );
  out.push('HTTP: one request at a time, keep-alive, page size 50; db: the same SQL run in process by the driver (no HTTP, no Kysely);');
  out.push('cores: used during the timed requests by verifyd / by everything else (PostgreSQL backends; other load on the machine)');
  out.push('');
  const head = ['shape', 'n', 'rows', 'p50 ms', 'p99 ms', 'max ms', 'cores', 'db p50', 'index used', 'no 002 idx: db p50', 'index used'];
  const widths = [40, 4, 7, 7, 7, 7, 9, 7, 32, 18, 24];
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, [1, 2, 3, 4, 5, 6, 7, 9].includes(i))).join(' ');
  const cores = (c: { server: number | null; other: number | null } | undefined) =>
    c ? `${c.server === null ? '?' : c.server.toFixed(2)}/${c.other === null ? '?' : c.other.toFixed(2)}` : '';
  out.push(line(head));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const s of run.shapes) {
    const h = run.http.find((x) => x.name === s.name);
    const w = a.withIndexes.find((x) => x.name === s.name);
    const wo = a.withoutIndexes.find((x) => x.name === s.name);
    const name = `${s.kind === 'list' ? 'list: ' : ''}${s.name}`;
    out.push(
      line([
        name,
        String(h?.latency.n ?? 0),
        String(h?.rows ?? ''),
        f(h?.latency.p50),
        f(h?.latency.p99),
        f(h?.latency.max),
        cores(h?.cpu),
        f(w?.ms.p50),
        w?.uses ?? '',
        f(wo?.ms.p50),
        wo?.uses ?? '',
      ]),
    );
  }
  // Not requests: the retention job's statements, run every 60 s whatever the traffic (nothing due here).
  for (const q of a.withIndexes.filter((x) => x.name.startsWith('retention purge'))) {
    const wo = a.withoutIndexes.find((x) => x.name === q.name);
    out.push(line([q.name, '', '', '', '', '', '', f(q.ms.p50), q.uses, f(wo?.ms.p50), wo?.uses ?? '']));
  }
  for (const h of run.http.filter((x) => x.errors > 0)) out.push(`  ${h.name}: non-200 responses ${JSON.stringify(h.statuses)}`);
  out.push('');

  // Aims.
  const lists = run.shapes.filter((s) => s.kind === 'list').map((s) => run.http.find((h) => h.name === s.name)!).filter(Boolean);
  const missed = lists.filter((h) => !(h.latency.p99 < AIM_LIST_P99_MS));
  out.push(`Aims (${run.store}):`);
  out.push(
    `  list p99 < ${AIM_LIST_P99_MS} ms: ${missed.length === 0 ? 'met' : 'NOT met'} (met by ${lists.length - missed.length} of ${lists.length} list shapes` +
      (missed.length ? `; missed by ${missed.map((h) => `${h.name} ${f(h.latency.p99)} ms`).join(', ')})` : ')'),
  );
  const sumAll = run.http.find((h) => h.name === 'summary: all rows');
  if (sumAll) {
    const ok = sumAll.latency.p99 < AIM_SUMMARY_MS;
    out.push(`  summary over all rows < ${AIM_SUMMARY_MS} ms: p50 ${f(sumAll.latency.p50)} ms, p99 ${f(sumAll.latency.p99)} ms: ${ok ? 'met' : 'NOT met'}`);
  }
  const sums = run.http.filter((h) => h.name.startsWith('summary:') && h.name !== 'summary: all rows');
  if (sums.length) out.push(`  filtered summaries p99: ${sums.map((h) => `${h.name.slice(9)} ${f(h.latency.p99)} ms`).join('; ')}`);
  out.push('');

  // Index cost.
  const i = a.insert;
  const delta = (w: number, wo: number) => `${w >= wo ? '+' : ''}${(w - wo).toFixed(0)} us (${w >= wo ? '+' : ''}${(((w - wo) / wo) * 100).toFixed(0)}%)`;
  const per = (c: { singleUs: number; batchUs: number }[], k: 'singleUs' | 'batchUs') => c.map((x) => x[k].toFixed(0)).join(' / ');
  out.push(
    `Index cost per insert (through the app's insertSend into the seeded table; ${i.count.toLocaleString('en-US')} inserts per variant and mode ` +
      `in ${i.rounds.length} alternating rounds, each after a checkpoint; means, rounds in brackets):`,
  );
  out.push(
    `  1 insert per transaction:     ${i.with.singleUs.toFixed(0)} us with the ${a.attemptIndexes.length} attempts indexes [${per(i.rounds.map((r) => r.with), 'singleUs')}], ` +
      `${i.without.singleUs.toFixed(0)} us without [${per(i.rounds.map((r) => r.without), 'singleUs')}]: ${delta(i.with.singleUs, i.without.singleUs)}`,
  );
  out.push(
    `  ${i.batch} inserts per transaction: ${i.with.batchUs.toFixed(0)} us with [${per(i.rounds.map((r) => r.with), 'batchUs')}], ` +
      `${i.without.batchUs.toFixed(0)} us without [${per(i.rounds.map((r) => r.without), 'batchUs')}]: ${delta(i.with.batchUs, i.without.batchUs)}`,
  );
  out.push(`  building the ${a.attemptIndexes.length} attempts indexes on the full table: ${i.rebuildSeconds.toFixed(1)} s`);
  const attemptBytes = a.attemptIndexes.reduce((n, name) => n + (a.sizes.indexes[name] ?? 0), 0);
  const rows = run.seed.counts.sends;
  out.push(
    `  size: table ${mb(a.sizes.table)} MB; attempts indexes ${mb(attemptBytes)} MB (${(attemptBytes / rows).toFixed(0)} bytes/row: ` +
      `${a.attemptIndexes.map((n) => `${n} ${mb(a.sizes.indexes[n] ?? 0)}`).join(', ')}); other indexes ` +
      `${Object.entries(a.sizes.indexes).filter(([n]) => !a.attemptIndexes.includes(n)).map(([n, b]) => `${n} ${mb(b)}`).join(', ')} MB`,
  );
  out.push('');

  // Plans.
  out.push(`EXPLAIN (${run.store}, all indexes${run.store === 'postgres' ? '; EXPLAIN (ANALYZE, BUFFERS), costs removed' : ' QUERY PLAN'}):`);
  for (const q of a.withIndexes) {
    out.push(`  ${q.name}: ${q.sql.replace(/\s+/g, ' ')}`);
    for (const p of q.plan) out.push(`      ${p.replace(/\(cost=[^)]*\) /, '')}`);
  }
  out.push('');
  out.push(`EXPLAIN (${run.store}, without the attempts indexes), plan shape only:`);
  for (const q of a.withoutIndexes) {
    const nodes = q.plan.filter((p) => run.store === 'sqlite' || /^\s*(->\s*)?[A-Z][A-Za-z ]+(on|using|\(|$)/.test(p) && !/^\s*(Planning|Execution|Buffers|JIT|Worker)/.test(p));
    out.push(`  ${q.name}: ${nodes.map((p) => p.replace(/\s*\(cost=[^)]*\)/, '').replace(/\s*\(actual[^)]*\)/, '').trim()).join(' / ')}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
