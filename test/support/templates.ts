import { systemClock } from '../../src/domain/clock.js';
import { newSid } from '../../src/domain/ids.js';
import { createTemplate, type TemplateInput } from '../../src/domain/templates/templates.js';
import type { VerificationTemplate } from '../../src/domain/types.js';
import type { Stores } from '../../src/storage/stores.js';

/** A template of the account's, stored as the CLI stores it; `sid` fixes its sid. */
export function seedTemplate(stores: Stores, accountSid: string, over: Partial<TemplateInput> & { sid?: string } = {}): Promise<VerificationTemplate> {
  const { sid, ...input } = over;
  return createTemplate({ store: stores.templates, clock: systemClock, ids: sid ? () => sid : newSid }, accountSid, {
    friendlyName: 'Login',
    channels: ['sms', 'voice'],
    texts: [{ locale: 'en', text: 'Your {{friendly_name}} code is {{code}}' }],
    ...input,
  });
}
