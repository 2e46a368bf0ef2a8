import { startHub, type RunningHub } from './support/hub';

describe('GET /openapi.json', () => {
  let hub: RunningHub;
  beforeAll(async () => (hub = await startHub()));
  afterAll(() => hub.stop());

  it('is OpenAPI 3 and documents every API route the hub serves, each command with a request schema and its problems', async () => {
    const res = await hub.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json as {
      openapi: string;
      paths: Record<string, Record<string, any>>;
      components: { schemas: Record<string, any> };
    };
    expect(doc.openapi).toMatch(/^3\./);

    // The routes the app really registered, from Nest's own route table.
    const served = routesOf(hub);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(served.length).toBeGreaterThanOrEqual(16);
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);

    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.responses['401']).toBeDefined();
        const success = Object.entries(op.responses as Record<string, any>).find(([status]) => status.startsWith('2'));
        // A schema for the 2xx body: a component ($ref) for commands and states, inline for lists and exports.
        const schemas = Object.values(
          (success?.[1]?.content ?? {}) as Record<string, { schema?: { $ref?: string; type?: string } }>,
        ).map((c) => c.schema);
        expect([method, path, schemas.length > 0 && schemas.every((s) => Boolean(s?.$ref ?? s?.type))]).toEqual([
          method,
          path,
          true,
        ]);
        // POST /indsigt is a query whose input (a CPR) must not go in the URL, and so is the erasure's; every other
        // POST is a command on a stream.
        if (method === 'post' && (path === '/indsigt' || path === '/sletning')) {
          expect(op.requestBody?.content?.['application/json']?.schema?.$ref).toBe(
            path === '/indsigt' ? '#/components/schemas/IndsigtDto' : '#/components/schemas/SletningDto',
          );
        } else if (method === 'post') {
          const headers = (op.parameters ?? [])
            .filter((p: { in: string }) => p.in === 'header')
            .map((p: { name: string }) => p.name);
          expect(headers).toContain('Idempotency-Key');
          const creates = path === '/bestillinger' || path.endsWith('/delmaal');
          expect([path, headers.includes('If-Match')]).toEqual([path, !creates]);
          const ref: string = op.requestBody?.content?.['application/json']?.schema?.$ref;
          expect([path, typeof ref]).toEqual([path, 'string']);
          expect(op.responses['422']?.content?.['application/json']?.schema?.$ref).toBe(
            '#/components/schemas/ProblemDto',
          );
        }
      }
    }
    const afgiv = doc.components.schemas['AfgivBestillingDto'];
    expect(afgiv.properties.indsatsmaal.items.$ref).toBe('#/components/schemas/IndsatsmaalDto');
    expect(doc.components.schemas['IndsatsmaalDto'].properties.maalformulering.example).toBe(
      'Jeg vil gerne kunne møde mine venner i byen igen.',
    );
  });
});

/** Every route Nest mapped for the API, as "METHOD /path/:param" (not health, the document itself, or the 404 catch-all). */
function routesOf(hub: RunningHub): string[] {
  return hub.routes.filter(
    // Not API: health, the documents, and operations (/metrics, /ops and its stream and snapshot; README "Operations").
    (r) =>
      ![
        '/health',
        '/metrics',
        '/ops',
        '/ops/status.json',
        '/ops/stroem',
        '/openapi.json',
        '/asyncapi.json',
        '/{*path}',
      ].includes(r.split(' ')[1] as string),
  );
}
