/** Twilio's JSON dates: ISO 8601 in UTC to the second ("2015-07-30T20:00:00Z"). */
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
