import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditLog } from '@hub/audit';
import { ConfigError, loadConfig } from '../config';
import { AuditRetention } from './audit.retention';

describe('AuditRetention', () => {
  afterEach(() => jest.useRealTimers());

  it('purges what is older than the retention at start and then every day, and closes the log at shutdown', async () => {
    jest.useFakeTimers();
    const purged: string[] = [];
    let closed = false;
    const log = {
      purge: async (olderThan: Date) => {
        purged.push(olderThan.toISOString());
        return 1;
      },
      close: async () => {
        closed = true;
      },
    } as unknown as AuditLog;
    let now = new Date('2031-01-01T00:00:00Z').getTime();
    const retention = new AuditRetention(log, 1826, () => new Date(now));
    await retention.onApplicationBootstrap();
    expect(purged).toEqual(['2026-01-01T00:00:00.000Z']);
    now += 86_400_000;
    await jest.advanceTimersByTimeAsync(86_400_000);
    expect(purged).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
    await retention.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(3 * 86_400_000);
    expect(purged).toHaveLength(2);
    expect(closed).toBe(true);
  });

  it('survives a failed purge and tries again at the next run', async () => {
    const log = { purge: async () => Promise.reject(new Error('down')) } as unknown as AuditLog;
    expect(await new AuditRetention(log, 1, () => new Date()).purge()).toBe(0);
  });
});

describe('HUB_AUDIT_RETENTION_DAYS', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hub-audit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to 1826 days (5 years) and takes whole days from 1 to 36500', () => {
    expect(loadConfig({ HUB_DATA_DIR: dir }).auditRetentionDays).toBe(1826);
    expect(loadConfig({ HUB_DATA_DIR: dir, HUB_AUDIT_RETENTION_DAYS: '30' }).auditRetentionDays).toBe(30);
    for (const bad of ['0', '-1', '1.5', 'fem', '', '36501']) {
      let problems: string[] = [];
      try {
        loadConfig({ HUB_DATA_DIR: dir, HUB_AUDIT_RETENTION_DAYS: bad });
      } catch (error) {
        problems = (error as ConfigError).problems;
      }
      expect([bad, problems]).toEqual([bad, ['HUB_AUDIT_RETENTION_DAYS must be an integer from 1 to 36500 (days)']]);
    }
  });
});
