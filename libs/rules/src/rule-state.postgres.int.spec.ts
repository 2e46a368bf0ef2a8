import { randomBytes } from 'node:crypto';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { openPostgresRuleState, PostgresRuleState } from './rule-state.postgres';
import { describeRuleStateContract } from './testing/rule-state.contract';

beforeAll(requirePostgres);

const freshRulesSchema = () => `rules_${randomBytes(6).toString('hex')}`;

describeRuleStateContract('PostgreSQL', async () => {
  const schema = freshRulesSchema();
  return {
    open: () => openPostgresRuleState({ connectionString: PG_URL, schema }),
    cleanup: () => dropSchema(schema),
  };
});

describe('PostgreSQL rule state', () => {
  const schema = freshRulesSchema();
  afterAll(() => dropSchema(schema));

  it('opens a new schema from several instances at once (the first creates, the others find the tables)', async () => {
    const states = await Promise.all(
      Array.from({ length: 4 }, () => openPostgresRuleState({ connectionString: PG_URL, schema })),
    );
    try {
      const checkpoints = await Promise.all(states.map((s) => s.checkpoint()));
      expect(checkpoints).toEqual(Array.from({ length: 4 }, () => ({ position: 0, eventId: null })));
    } finally {
      await Promise.all(states.map((s) => s.close()));
    }
  });

  it('refuses a schema name it would have to quote', () => {
    expect(() => new PostgresRuleState({ connectionString: PG_URL, schema: 'x"; DROP TABLE y; --' })).toThrow(
      /PostgreSQL schema .* must match/,
    );
  });

  it('reports an unreachable server as unavailable, without the connection string, and works once it answers', async () => {
    const state = new PostgresRuleState({
      connectionString: 'postgres://postgres:hemmelig@127.0.0.1:1/postgres',
      schema,
    });
    try {
      const failure = state.checkpoint();
      await expect(failure).rejects.toMatchObject({ code: 'EVENT_STORE.UNAVAILABLE' });
      await expect(failure).rejects.not.toThrow('hemmelig');
    } finally {
      await state.close();
    }
  });
});
