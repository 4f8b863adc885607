/**
 * The attempts scenario's HTTP client, run as a child process by attempts.ts with a ClientSpec on
 * stdin. For each query shape, one request at a time over one keep-alive connection: a warm-up,
 * then up to `requests` timed requests (or fewer once `budgetSeconds` have passed). Prints one
 * JSON array of ShapeResult on stdout; progress on stderr.
 */
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { share, snapshot } from './cpu.js';
import { latencyOf, progress, readSpec, type ClientSpec, type Shape, type ShapeResult } from './attempts-common.js';

const spec = await readSpec<ClientSpec>();
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(path: string): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(`${spec.baseUrl}${path}`, { agent, timeout: 60_000, headers: { authorization: spec.authorization } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

interface ListPage {
  attempts: unknown[];
  meta: { next_page_url: string | null; previous_page_url: string | null };
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** Follows next_page_url `pages` times from the first page; returns the path of the page to time. */
async function deepPath(shape: Shape): Promise<{ path: string; page: NonNullable<ShapeResult['page']> }> {
  const deep = shape.deep!;
  let path = `/v2/Attempts?${shape.queries[0] ? `${shape.queries[0]}&` : ''}PageSize=${spec.pageSize}`;
  let page: ListPage | undefined;
  for (let i = 0; i < deep.pages; i++) {
    const res = await get(path);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
    page = JSON.parse(res.body) as ListPage;
    if (!page.meta.next_page_url) throw new Error(`only ${i + 1} pages for ${shape.name}`);
    path = pathOf(page.meta.next_page_url);
  }
  if (deep.use === 'previous') {
    // The page after the deep one, then its previous_page_url (a PB token: the rows just before it).
    const res = await get(path);
    const prev = (JSON.parse(res.body) as ListPage).meta.previous_page_url;
    if (!prev) throw new Error(`no previous_page_url for ${shape.name}`);
    path = pathOf(prev);
  }
  const q = new URL(path, 'http://x').searchParams;
  const token = q.get('PageToken');
  const pageNo = Number(q.get('Page') ?? 0);
  let cursor: { dateCreated: number; sid: string } | undefined;
  if (token) {
    const [date, sid] = Buffer.from(token.slice(2), 'base64url').toString('utf8').split(':');
    cursor = { dateCreated: Number(date), sid: sid! };
  }
  return { path, page: { cursor, back: token?.startsWith('PB') ?? false, offset: cursor ? 0 : pageNo * spec.pageSize, path } };
}

async function measure(shape: Shape): Promise<ShapeResult> {
  let paths: string[];
  let page: ShapeResult['page'];
  if (shape.deep) {
    const d = await deepPath(shape);
    paths = [d.path];
    page = d.page;
  } else {
    const base = shape.kind === 'list' ? '/v2/Attempts' : '/v2/Attempts/Summary';
    const paging = shape.kind === 'list' ? `PageSize=${spec.pageSize}` : '';
    paths = shape.queries.map((q) => `${base}?${[q, paging].filter(Boolean).join('&')}`);
  }
  const statuses: Record<string, number> = {};
  let rows = 0;
  let errors = 0;
  const one = async (i: number) => {
    const res = await get(paths[i % paths.length]!);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status !== 200) {
      errors++;
      if (errors === 1) progress(`    ${shape.name}: ${res.status} ${res.body.slice(0, 200)}`);
      return res.ms;
    }
    const body = JSON.parse(res.body) as { attempts?: unknown[]; total_attempts?: number };
    rows = shape.kind === 'list' ? (body.attempts?.length ?? 0) : Number(body.total_attempts ?? 0);
    return res.ms;
  };
  const warmDeadline = performance.now() + 10_000;
  for (let i = 0; i < spec.warmup && (i < 2 || performance.now() < warmDeadline); i++) await one(i);
  for (const k of Object.keys(statuses)) delete statuses[k];
  errors = 0;
  const samples: number[] = [];
  const before = snapshot(spec.serverPid);
  const deadline = performance.now() + spec.budgetSeconds * 1000;
  while (samples.length < spec.requests && (samples.length < 10 || performance.now() < deadline)) samples.push(await one(samples.length));
  const cpu = share(before, snapshot(spec.serverPid), availableParallelism());
  const latency = latencyOf(samples);
  progress(`    ${shape.name}: p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms over ${latency.n} requests, ${rows} rows`);
  return { name: shape.name, latency, rows, errors, statuses, page, cpu };
}

const results: ShapeResult[] = [];
for (const shape of spec.shapes) results.push(await measure(shape));
agent.destroy();
process.stdout.write(`${JSON.stringify(results)}\n`, () => process.exit(0));
