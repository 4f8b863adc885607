import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { SendJobStore } from '../../src/domain/ports.js';
import type { Account } from './server.js';
import { until } from './until.js';

/** A VERIFYD_CONFIG file (JSON, which the loader reads as YAML 1.2) holding `config`; removed after the test file. */
export function providersFile(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-providers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'verifyd.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** The one attempt of a verification, through the official SDK's Attempts API. */
export async function attemptOf(acct: Account, verificationSid: string): Promise<Record<string, unknown>> {
  const [a, ...more] = await acct.client.verify.v2.verificationAttempts.list({ verificationSid });
  if (!a || more.length > 0) throw new Error(`expected one attempt of ${verificationSid}`);
  return a.channelData as Record<string, unknown>;
}

/** Waits until the send queue has recorded the provider's answer (or given up): receipts then find the attempt. */
export function recorded(sendJobs: SendJobStore, attemptSid: string): Promise<unknown> {
  return until(() => sendJobs.sendJobStatus(attemptSid), (s) => s?.state !== 'pending', `the send of ${attemptSid} recorded`);
}
