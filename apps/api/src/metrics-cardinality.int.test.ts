import { startApiHarness, type ApiHarness } from './test-support/api-harness';

/**
 * Issue 11 item 3: the `route` label of `http_request_duration_seconds` comes
 * from route patterns only. Express matches paths case-insensitively, so a
 * label built from the request's own path made one series per spelling: on an
 * unauthenticated `/metrics`, anyone could grow the api's memory and the
 * scrape without bound. Real api and PostgreSQL, over HTTP.
 */
let api: ApiHarness;
let alice: string;

beforeAll(async () => {
  api = await startApiHarness();
  await api.db.sql`insert into accounts (id, email) values ('alice', 'alice@example.test')`;
  alice = await api.token('alice');
});
afterAll(async () => api.close());

/** `n` distinct case variants of `path` (deterministic), none equal to it. */
function caseVariants(path: string, n: number): string[] {
  const letters = [...path].map((c, i) => (/[a-z]/i.test(c) ? i : -1)).filter((i) => i >= 0);
  expect(2 ** letters.length).toBeGreaterThan(n);
  return Array.from({ length: n }, (_, k) => {
    const chars = [...path];
    // k + 1 in binary picks which letters go upper case: distinct for distinct k, never all lower case.
    letters.forEach((at, bit) => {
      if (((k + 1) >> bit) & 1) chars[at] = chars[at]!.toUpperCase();
    });
    return chars.join('');
  });
}

/** The label sets of the histogram's series, from the Prometheus text. */
async function series(): Promise<string[]> {
  const res = await api.call('GET', '/metrics');
  expect(res.status).toBe(200);
  return String(res.body)
    .split('\n')
    .filter((line) => line.startsWith('http_request_duration_seconds_count{'))
    .map((line) => line.slice(line.indexOf('{'), line.indexOf('}') + 1));
}

/** Sends every path (8 at a time) and returns the statuses seen. */
async function sendAll(paths: string[], token?: string): Promise<Set<number>> {
  const statuses = new Set<number>();
  const queue = [...paths];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) statuses.add((await api.call('GET', p, { token })).status);
    }),
  );
  return statuses;
}

it('keeps the route label set bounded after 1,000 case variants of a path, with and without a token', async () => {
  const variants = caseVariants('/v1/execution-reports', 1_000);
  expect(new Set(variants).size).toBe(1_000);
  const before = (await series()).length;

  // Authenticated: each variant reaches the route (200), which is where the raw path leaked into the label.
  expect(await sendAll(variants, alice)).toEqual(new Set([200]));
  await sendAll(variants.slice(0, 200)); // no token: 401
  await sendAll(caseVariants('/v1/orders/abcdefab-cdef-4abc-8def-abcdefabcdef', 200), alice); // ids and spellings: 404

  const after = await series();
  console.log(`http_request_duration_seconds series: ${before} before, ${after.length} after 1,400 requests on 1,200 distinct paths`);
  expect(after.length).toBeLessThanOrEqual(before + 4);
  expect(after).toEqual(
    expect.arrayContaining([
      '{method="GET",route="/v1/execution-reports/",status="200"}',
      '{method="GET",route="/v1/orders/:id",status="404"}',
      '{method="GET",route="unmatched",status="401"}',
    ]),
  );
  // No label carries anything but a declared pattern.
  for (const labels of after) expect(labels).not.toMatch(/route="[^"]*([A-Z]|abcdef)/);
});
