import { openPostgresReadDb } from './read-db';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { describeReadStoreContract } from './testing/read-store.contract';

beforeAll(requirePostgres);

describeReadStoreContract(
  'PostgreSQL',
  async () => {
    const schema = freshSchema();
    const readDb = await openPostgresReadDb(PG_URL, schema);
    return { readDb, cleanup: async () => (await readDb.close(), await dropSchema(schema)) };
  },
  { runs: 12 },
);
