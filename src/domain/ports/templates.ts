import type { VerificationTemplate } from '../types.js';
import type { PageQuery } from './paging.js';

export interface TemplateFilter {
  /** Exact friendly name (GET /v2/Templates?FriendlyName=). */
  friendlyName?: string;
}

export interface TemplateStore {
  insertTemplate(t: VerificationTemplate): Promise<void>;
  /** The account's template, or undefined (unknown, or another account's). */
  getTemplate(accountSid: string, sid: string): Promise<VerificationTemplate | undefined>;
  /** One page of the account's templates in (dateCreated, sid) order (see PageQuery). */
  listTemplates(accountSid: string, filter: TemplateFilter, page: PageQuery): Promise<VerificationTemplate[]>;
  /** Deletes by sid alone (the operator's CLI); false when it did not exist. */
  deleteTemplate(sid: string): Promise<boolean>;
}
