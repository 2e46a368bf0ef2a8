import { createHash } from 'node:crypto';
import { startHub, UDEN_REGLER, type RunningHub } from './support/hub';

/** A CSP header as its directives, whitespace aside ("a 'x'; b 'y'" and "a 'x';b 'y'" are the same policy). */
const directives = (csp: string | null): Record<string, string> =>
  Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name as string, sources.join(' ')]),
  );

/** helmet's headers, as every response should carry them. */
const expectSecurityHeaders = (headers: Headers): void => {
  expect(headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
  expect(headers.get('x-powered-by')).toBeNull();
};

const API_POLICY = {
  'default-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};

describe('security headers', () => {
  let hub: RunningHub;
  beforeAll(async () => (hub = await startHub(UDEN_REGLER)));
  afterAll(() => hub.stop());

  it('are on JSON answers, problems and the public documents, with a CSP that lets a browser run nothing', async () => {
    const token = await hub.token({ party: 'myndighed', id: '0101' });
    const json = await hub.call('GET', '/myndighed/bestillinger', { token });
    const problem = await hub.call('GET', '/myndighed/bestillinger');
    const health = await hub.call('GET', '/health');
    const openapi = await hub.call('GET', '/openapi.json');
    expect([json.status, problem.status, health.status, openapi.status]).toEqual([200, 401, 200, 200]);
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
    for (const res of [json, problem, health, openapi]) {
      expectSecurityHeaders(res.headers);
      expect(directives(res.headers.get('content-security-policy'))).toEqual(API_POLICY);
    }
  });

  it("on /ops allow exactly the page's own inline script and style, by hash, and nothing injected", async () => {
    const res = await fetch(`${hub.url}/ops`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expectSecurityHeaders(res.headers);
    const csp = res.headers.get('content-security-policy');
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const hashOf = (tag: string) =>
      [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(
        ([, body]) =>
          `'sha256-${createHash('sha256')
            .update(body as string)
            .digest('base64')}'`,
      );
    expect(hashOf('script')).toHaveLength(1);
    expect(hashOf('style')).toHaveLength(1);
    expect(directives(csp)).toEqual({
      'default-src': "'none'",
      'script-src': hashOf('script').join(' '),
      'style-src': hashOf('style').join(' '),
      'connect-src': "'self'",
      'img-src': 'data:',
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
  });

  it('documents the 429 on every operation that needs a token', async () => {
    const doc = (await hub.call('GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, { responses: Record<string, any> }>>;
    };
    const ops = Object.values(doc.paths).flatMap((item) => Object.values(item));
    expect(ops.length).toBeGreaterThan(0);
    for (const op of ops) {
      expect(op.responses['429']?.headers?.['Retry-After']).toBeDefined();
      expect(op.responses['429']?.content?.['application/problem+json']?.schema?.$ref).toBe(
        '#/components/schemas/ProblemDto',
      );
    }
  });
});

describe('rate limit per party (HUB_RATE_LIMIT_PER_MINUTE)', () => {
  let hub: RunningHub;
  beforeAll(async () => (hub = await startHub({ ...UDEN_REGLER, HUB_RATE_LIMIT_PER_MINUTE: '5' })));
  afterAll(() => hub.stop());

  it("refuses one kommune's sixth request in a minute with 429 and Retry-After, across routes, while other parties and the public routes go on", async () => {
    const kommune = await hub.token({ party: 'myndighed', id: '0101' });
    const sagsbehandler = await hub.token({ party: 'myndighed', id: '0101', sub: 'en-anden@0101' });
    const andenKommune = await hub.token({ party: 'myndighed', id: '0147' });
    const tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    const analytiker = await hub.token({ party: 'analytiker', id: '0101' });

    // Five requests of kommune 0101, on three routes and by two users of its fagsystem: one count.
    const first = [
      await hub.call('GET', '/myndighed/bestillinger', { token: kommune }),
      await hub.call('GET', '/myndighed/bestillinger', { token: kommune }),
      await hub.call('GET', '/observationer', { token: kommune }),
      await hub.call('GET', '/myndighed/tilbagemeldinger', { token: sagsbehandler }),
      await hub.call('GET', '/myndighed/bestillinger', { token: sagsbehandler }),
    ];
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(first[4]?.headers.get('x-ratelimit-remaining')).toBe('0');

    const sixth = await hub.call('GET', '/myndighed/opfoelgninger', { token: kommune });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(sixth.json).toEqual({
      type: 'urn:ffb-hub:problem:HTTP.FOR_MANGE_FORESPOERGSLER',
      title: 'Too many requests',
      status: 429,
      detail: expect.stringContaining('5 requests a minute'),
      code: 'HTTP.FOR_MANGE_FORESPOERGSLER',
      errors: [],
      instance: '/myndighed/opfoelgninger',
      ...(sixth.json.correlationId === undefined ? {} : { correlationId: expect.any(String) }),
    });
    expectSecurityHeaders(sixth.headers);
    // Still refused, on any route, also a command: nothing of it is done.
    const head = await hub.store.headPosition();
    expect((await hub.call('POST', '/bestillinger', { token: kommune, body: {} })).status).toBe(429);
    expect(await hub.store.headPosition()).toBe(head);

    // Another kommune, a tilbud and the same kommune's analytiker have counts of their own.
    for (const [token, path] of [
      [andenKommune, '/myndighed/bestillinger'],
      [tilbud, '/udfoerer/bestillinger'],
      [analytiker, '/analyse/maalopfyldelse'],
    ] as const)
      expect([path, (await hub.call('GET', path, { token })).status]).toEqual([path, 200]);

    // The public routes are not limited, and a refused token is a 401, not a 429.
    for (let i = 0; i < 8; i++) {
      expect((await hub.call('GET', '/health')).status).toBe(200);
      expect((await hub.call('GET', '/metrics')).status).toBe(200);
      expect((await hub.call('GET', '/openapi.json')).status).toBe(200);
    }
    expect((await hub.call('GET', '/myndighed/bestillinger')).status).toBe(401);
  });
});

describe('HUB_RATE_LIMIT_PER_MINUTE=0', () => {
  it('turns the limit off', async () => {
    const hub = await startHub({ ...UDEN_REGLER, HUB_RATE_LIMIT_PER_MINUTE: '0' });
    try {
      const token = await hub.token({ party: 'myndighed', id: '0101' });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await hub.call('GET', '/myndighed/bestillinger', { token })).status);
      expect(new Set(statuses)).toEqual(new Set([200]));
    } finally {
      await hub.stop();
    }
  });
});
