import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { initialSchema } from './001-initial.js';
import { attemptsSchema } from './002-attempts.js';
import { lockoutAndRetentionSchema } from './003-lockout-and-retention.js';
import { summaryCoveringSchema } from './004-summary-covering.js';
import { eventStreamsSchema } from './005-event-streams.js';
import { foldEmailCaseSchema } from './006-fold-email-case.js';
import { sendJobsSchema } from './007-send-jobs.js';
import { providerReceiptsSchema } from './008-provider-receipts.js';
import { templatesSchema } from './009-templates.js';
import { routingSchema } from './010-routing.js';
import { verificationLookupSchema } from './011-verification-lookup.js';
import { rateLimitsSchema } from './012-rate-limits.js';
import { sealedTokensSchema } from './013-sealed-tokens.js';
import { protectionSchema } from './016-protection.js';
import { pumpingGuardSchema } from './017-pumping-guard.js';
import { counterKeysSchema } from './018-counter-keys.js';

export type Dialect = 'sqlite' | 'postgres';

/** Migrations are SQL per dialect; the list only ever grows. */
const MIGRATIONS: Record<string, (d: Dialect) => string[]> = {
  '001-initial': initialSchema,
  '002-attempts': attemptsSchema,
  '003-lockout-and-retention': lockoutAndRetentionSchema,
  '004-summary-covering': summaryCoveringSchema,
  '005-event-streams': eventStreamsSchema,
  '006-fold-email-case': foldEmailCaseSchema,
  '007-send-jobs': sendJobsSchema,
  // 007 is the send queue's (a parallel branch); this one only adds columns, so either order works.
  '008-provider-receipts': providerReceiptsSchema,
  // A new table only: it commutes with 006-008 whichever branch lands first.
  '009-templates': templatesSchema,
  // Columns on send_jobs and verification_sends and a new table: it commutes with other branches' new tables.
  '010-routing': routingSchema,
  // One nullable column: it commutes with any other migration.
  '011-verification-lookup': verificationLookupSchema,
  // New tables only (issue 13): commutes with 010 and 011.
  '012-rate-limits': rateLimitsSchema,
  // Columns and an index on accounts/api_keys only: commutes with 010-012 whichever lands first.
  '013-sealed-tokens': sealedTokensSchema,
  // New tables only (Safe List, geo permissions): commutes with any other migration (014 and 015 are unused).
  '016-protection': protectionSchema,
  // New tables only (the SMS-pumping guard): commutes with any other migration.
  '017-pumping-guard': pumpingGuardSchema,
  // Rebuilds a table of 012 and drops an index of 017: its name sorts it after both.
  '018-counter-keys': counterKeysSchema,
};

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      const out: Record<string, Migration> = {};
      for (const [name, statements] of Object.entries(MIGRATIONS)) {
        out[name] = {
          async up(db: Kysely<unknown>) {
            for (const stmt of statements(dialect)) await sql.raw(stmt).execute(db);
          },
        };
      }
      return out;
    },
  };
}
