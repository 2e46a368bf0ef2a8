import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteRuleState } from './rule-state.sqlite';
import { describeRuleStateContract } from './testing/rule-state.contract';

describeRuleStateContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rule-state-'));
  return {
    open: async () => new SqliteRuleState(join(dir, 'rules.sqlite')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
