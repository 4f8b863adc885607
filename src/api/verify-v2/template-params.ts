import type { TemplateFilter } from '../../domain/ports.js';
import type { Params } from '../params.js';

/** GET /v2/Templates filters; also returned as given, for the paging URLs. */
export function readTemplateFilter(p: Params): { filter: TemplateFilter; echo: Record<string, string | undefined> } {
  const friendlyName = p.str('FriendlyName');
  return { filter: { friendlyName }, echo: { FriendlyName: friendlyName } };
}
