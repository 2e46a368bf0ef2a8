import { join } from 'node:path';
import { openPostgresEventStore, openSqliteEventStore, type EventStore } from '@hub/event-store';
import { openKurrentDbEventStore } from '@hub/event-store/kurrentdb';
import { openPostgresLeaseStore, openSqliteLeaseStore, type LeaseStore } from '@hub/leases';
import type { HubConfig } from './config';

/**
 * The stores a hub instance opens, by configuration (design.md §2). On the embedded default they are files in
 * HUB_DATA_DIR; in the production topology everything the instances share lives in PostgreSQL, one schema per part
 * beside the read models' schema (HUB_PG_SCHEMA): `<schema>_events`, `_leases`, `_relay`, `_rules`, `_vault`, `_api`, `_audit`.
 */
export type SharedPart = 'events' | 'leases' | 'relay' | 'rules' | 'vault' | 'api' | 'audit';

export function sharedSchema(config: HubConfig, part: SharedPart): string {
  if (config.shared.kind !== 'postgres') throw new Error('the shared state is not in PostgreSQL');
  return `${config.shared.schema}_${part}`;
}

export async function openEventStore(config: HubConfig, clock: () => Date): Promise<EventStore> {
  switch (config.store.kind) {
    case 'sqlite':
      return openSqliteEventStore({ file: join(config.dataDir, 'events.sqlite'), now: clock });
    case 'postgres':
      if (config.shared.kind !== 'postgres') throw new Error('HUB_STORE=postgres needs HUB_PG_URL');
      return openPostgresEventStore({
        connectionString: config.shared.url,
        schema: sharedSchema(config, 'events'),
        now: clock,
        applicationName: `ffb-hub ${config.instanceId}`,
      });
    case 'kurrentdb':
      return openKurrentDbEventStore({ connectionString: config.store.url, now: clock });
  }
}

export function openLeaseStore(config: HubConfig): Promise<LeaseStore> | LeaseStore {
  return config.shared.kind === 'postgres'
    ? openPostgresLeaseStore({ connectionString: config.shared.url, schema: sharedSchema(config, 'leases') })
    : openSqliteLeaseStore({ file: join(config.dataDir, 'hub.sqlite') });
}
