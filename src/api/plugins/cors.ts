/**
 * The CORS headers the spec declares on every response of the API. Preflight (OPTIONS) is not
 * offered: the API takes account credentials, which do not belong in a browser.
 */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
  'Access-Control-Allow-Methods': 'GET, POST, DELETE',
} as const;
