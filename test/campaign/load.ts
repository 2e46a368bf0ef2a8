import { randomInt, randomUUID } from 'node:crypto';
import { bestilling, delmaal, vumObservation } from '../e2e/support/requests';

/** One acknowledged command: a 2xx answer the client got, with the events the hub said it stored. */
export interface LedgerEntry {
  readonly command: string;
  readonly eventIds: readonly string[];
}

export interface LoadStats {
  /** Commands answered 2xx: every one of them is in the ledger. */
  acknowledged: number;
  /** Requests that got no answer (the hub was killed or away): their outcome is unknown, so they are not in the ledger. */
  unanswered: number;
  /** 503 answers to commands and reads (a part away): nothing stored, the client tries again. */
  unavailable: number;
  /** 409/422 by code: the domain refusing a command the worker chose on a state read just before a crash. */
  refused: Record<string, number>;
  /** Other 4xx answers. */
  unexpected: string[];
  /** 5xx answers other than 503. */
  serverErrors: string[];
}

export interface Load {
  readonly ledger: readonly LedgerEntry[];
  readonly stats: LoadStats;
  /** Stops after each worker's request in flight. */
  stop(): Promise<void>;
}

export interface LoadOptions {
  /** The hub's URL now, or undefined while it is down (the workers wait). */
  readonly target: () => string | undefined;
  readonly tokens: { readonly kommune: string; readonly tilbud: string };
  readonly workers: number;
  /** Commands per bestilling after its acceptance, before the myndighed ends it and the worker starts another. */
  readonly commandsPerBestilling?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A valid CPR-nummer nobody else in the run has (days 1–28, so every one is a real date). */
function nytCpr(): string {
  const dd = String(randomInt(1, 29)).padStart(2, '0');
  const mm = String(randomInt(1, 13)).padStart(2, '0');
  const yy = String(randomInt(0, 100)).padStart(2, '0');
  return `${dd}${mm}${yy}${String(randomInt(0, 10_000)).padStart(4, '0')}`;
}

interface BestillingView {
  fase: string;
  version: number;
  kvitteretVersion: number;
  indsatsmaal: { indsatsmaalId: string; aktiv: boolean }[];
}

/**
 * Drives bestillinger through their life over HTTP, several workers at once, like fagsystemer would: each worker reads
 * its bestilling's state and sends the next command the domain allows, with a fresh Idempotency-Key. A request that
 * gets no answer is not retried blindly: the worker reads the state again (the command may or may not be stored), so
 * the ledger holds exactly the commands the hub acknowledged.
 */
export function startLoad(options: LoadOptions): Load {
  const ledger: LedgerEntry[] = [];
  const stats: LoadStats = {
    acknowledged: 0,
    unanswered: 0,
    unavailable: 0,
    refused: {},
    unexpected: [],
    serverErrors: [],
  };
  let stopped = false;
  const perBestilling = options.commandsPerBestilling ?? 12;

  const call = async (
    token: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: any } | undefined> => {
    const url = options.target();
    if (!url) return undefined;
    try {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          purpose: 'reliability campaign',
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    } catch {
      return undefined;
    }
  };

  /** Sends a command; true when acknowledged (and ledgered). */
  const command = async (token: string, path: string, body: unknown): Promise<{ id?: string } | undefined> => {
    const res = await call(token, 'POST', path, body);
    if (!res) {
      stats.unanswered += 1;
      await sleep(100);
      return undefined;
    }
    if (res.status === 200 || res.status === 201) {
      stats.acknowledged += 1;
      const events = (res.json as { events: { eventId: string }[] }).events;
      ledger.push({ command: path.replace(/[0-9a-f-]{36}/g, ':id'), eventIds: events.map((e) => e.eventId) });
      return res.json as { id?: string };
    }
    if (res.status === 503) {
      stats.unavailable += 1;
      await sleep(200);
    } else if (res.status >= 500) stats.serverErrors.push(`${path} ${res.status} ${JSON.stringify(res.json)}`);
    // After a crash a state read just before it may be stale by one command (e.g. kvittering stored, answer lost):
    // the domain refuses the repeat with 409/422, which is right; anything else is unexpected.
    else if (res.status === 409 || res.status === 422) {
      const code = String((res.json as { code?: string } | undefined)?.code);
      stats.refused[code] = (stats.refused[code] ?? 0) + 1;
    } else stats.unexpected.push(`${path} ${res.status} ${JSON.stringify(res.json)}`);
    return undefined;
  };

  const worker = async (): Promise<void> => {
    let bestillingId: string | undefined;
    let delmaalId: string | undefined;
    let sent = 0;
    while (!stopped) {
      if (!options.target()) {
        await sleep(50);
        continue;
      }
      if (!bestillingId) {
        const res = await command(options.tokens.kommune, '/bestillinger', bestilling({ cpr: nytCpr() }));
        if (res?.id) [bestillingId, delmaalId, sent] = [res.id, undefined, 0];
        continue;
      }
      const p = `/bestillinger/${bestillingId}`;
      const read = await call(options.tokens.tilbud, 'GET', p);
      if (!read) {
        stats.unanswered += 1;
        await sleep(100);
        continue;
      }
      if (read.status !== 200) {
        if (read.status === 503) stats.unavailable += 1;
        else stats.unexpected.push(`GET ${p} ${read.status}`);
        await sleep(200);
        continue;
      }
      const state = read.json as BestillingView;
      if (state.fase === 'afsluttet') {
        bestillingId = undefined;
        continue;
      }
      if (state.fase === 'afgivet') {
        await (state.kvitteretVersion < state.version
          ? command(options.tokens.tilbud, `${p}/kvittering`, { version: state.version })
          : command(options.tokens.tilbud, `${p}/accept`, {}));
        continue;
      }
      const aktive = state.indsatsmaal.filter((m) => m.aktiv).map((m) => m.indsatsmaalId);
      if (sent >= perBestilling || aktive.length === 0) {
        const res = await command(options.tokens.kommune, `${p}/afslutning`, {
          slutdato: '2026-12-31',
          begrundelse: 'Kampagnen afslutter indsatsen.',
        });
        if (res) bestillingId = undefined;
        continue;
      }
      sent += 1;
      switch (sent % 4) {
        case 0:
          await command(options.tokens.tilbud, `${p}/vum-observationer`, vumObservation({ paavirkerIndsatsen: false }));
          break;
        case 1:
          if (!delmaalId) {
            const res = await command(options.tokens.tilbud, `${p}/delmaal`, delmaal(aktive[0] as string));
            delmaalId = res?.id;
          } else
            await command(options.tokens.tilbud, `/delmaal/${delmaalId}/observationer`, {
              observation: 'Deltog i fællesspisning.',
              score: 2,
              observeret: '2026-11-01T10:00:00Z',
            });
          break;
        case 2:
          await command(options.tokens.tilbud, `${p}/status`, {
            indsatsmaal: aktive.map((indsatsmaalId) => ({ indsatsmaalId, statustekst: 'Stabil.' })),
          });
          break;
        default:
          if (delmaalId)
            await command(options.tokens.tilbud, `/delmaal/${delmaalId}/observationer`, {
              observation: 'Skrællede kartofler.',
              score: 3,
              observeret: '2026-11-02T10:00:00Z',
            });
      }
    }
  };

  const running = Array.from({ length: options.workers }, () => worker());
  return {
    ledger,
    stats,
    stop: async () => {
      stopped = true;
      await Promise.all(running);
    },
  };
}
