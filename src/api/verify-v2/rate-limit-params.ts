import type { Params } from '../params.js';

/** CreateRateLimit / UpdateRateLimit (UpdateRateLimit takes Description only: UniqueName is ignored there). */
export const readRateLimitInput = (p: Params): { uniqueName?: string; description?: string } => ({
  uniqueName: p.str('UniqueName'),
  description: p.str('Description'),
});

/** CreateBucket / UpdateBucket: whole numbers (ranges are the domain's). */
export const readBucketInput = (p: Params): { max?: number; interval?: number } => ({ max: p.int('Max'), interval: p.int('Interval') });
