import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { EventStore } from '@hub/event-store';
import { createHubApp } from '../../../apps/hub/src/app';
import { mintDevToken, type DevTokenRequest } from '../../../apps/hub/src/auth/dev-token';
import { loadConfig, type HubConfig } from '../../../apps/hub/src/config';
import { EVENT_STORE, PROJECTOR } from '../../../apps/hub/src/tokens';
import type { Projector } from '@hub/read-models';

export interface RunningHub {
  readonly url: string;
  readonly config: HubConfig;
  readonly store: EventStore;
  readonly dataDir: string;
  /** Every route the express app has, as "METHOD /path/:param". */
  readonly routes: readonly string[];
  /** Resolves once every read model has applied the log up to its head now. */
  readModelsCaughtUp(): Promise<void>;
  token(request: DevTokenRequest): Promise<string>;
  /** fetch against the hub with a JSON body and optional token and headers. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; json: any }>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * The hub without its tilbagemeldingspligt rules: for tests that prove "nothing was stored" by the log's head, or that
 * write the rules' events themselves. The rules append on their own (e.g. reminders for a fixture's opfølgningsdato
 * that lies in the past), at a moment no test controls.
 */
export const UDEN_REGLER = { HUB_ROLES: 'api,projector,relay' } as const;

/** Starts the hub in this process on a free port over real HTTP, with its data in a fresh temp dir (or `dataDir`). */
export async function startHub(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-')),
): Promise<RunningHub> {
  const config = loadConfig({ HUB_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', ...env });
  const app: NestExpressApplication = await createHubApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const secret = config.auth.mode === 'hs256' ? config.auth.secret : Buffer.alloc(32);
  const router = (
    app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    }
  ).router;
  const routes = router.stack.flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route?.path}`) : [],
  );
  return {
    url,
    config,
    dataDir,
    routes,
    readModelsCaughtUp: () => (app.get<Projector | null>(PROJECTOR) as Projector).caughtUp(),
    store: app.get<EventStore>(EVENT_STORE),
    token: (request) => mintDevToken(secret, request),
    async call(method, path, options = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(options.body !== undefined || options.rawBody !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        ...(options.rawBody !== undefined
          ? { body: options.rawBody }
          : options.body !== undefined
            ? { body: JSON.stringify(options.body) }
            : {}),
      });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, json };
    },
    async stop(options = {}) {
      await app.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
