/** What the provider tests share: a VERIFYD_CONFIG file of their own, and the attempt as the SDK shows it. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Account } from './server.js';

/** `yaml` written as a config file in a directory of its own, removed after the test file. */
export function tempConfigFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-providers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'verifyd.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** The channel_data of a verification's one attempt, through the SDK's Attempts API. */
export async function attemptOf(acct: Account, verificationSid: string): Promise<Record<string, unknown>> {
  const [a, ...more] = await acct.client.verify.v2.verificationAttempts.list({ verificationSid });
  assert.ok(a && more.length === 0, 'one attempt');
  return a.channelData as Record<string, unknown>;
}
