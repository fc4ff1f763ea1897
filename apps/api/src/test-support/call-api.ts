/** What a test sends: a bearer token (or a raw Authorization header), and a JSON body or raw text. */
export interface CallOptions {
  token?: string;
  authorization?: string;
  body?: unknown;
  raw?: string;
}

/** What a test gets back: the status, the body (parsed when it is JSON) and the headers. */
export interface CallResult {
  status: number;
  // Tests read response bodies field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

/** One HTTP request to the api under test (real HTTP on loopback). */
export async function callApi(baseUrl: string, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.authorization) headers.authorization = opts.authorization;
  const body = opts.body !== undefined ? JSON.stringify(opts.body) : opts.raw;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // HTML (Bull Board) and Prometheus text stay text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
