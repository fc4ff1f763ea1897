/**
 * The security headers of one HTTP response, reduced to what every response
 * of the project must carry (issue 11), for `expect(...).toEqual(EXPECTED_SECURITY_HEADERS)`.
 */
export function securityHeadersOf(headers: Headers | Record<string, string | string[] | undefined>): Record<string, unknown> {
  const get = (name: string): string | undefined => {
    const v = headers instanceof Headers ? headers.get(name) : headers[name];
    return Array.isArray(v) ? v.join(', ') : (v ?? undefined);
  };
  const csp = get('content-security-policy') ?? '';
  return {
    'x-content-type-options': get('x-content-type-options'),
    'x-frame-options': get('x-frame-options'),
    'referrer-policy': get('referrer-policy'),
    "csp frame-ancestors 'none'": /(^|;)\s*frame-ancestors 'none'\s*(;|$)/.test(csp),
    'csp default-src': /(^|;)\s*default-src ([^;]+)/.exec(csp)?.[2]?.trim(),
  };
}

/** What `securityHeadersOf` gives for a response that is data, not a page. */
export const EXPECTED_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  "csp frame-ancestors 'none'": true,
  'csp default-src': "'none'",
};
