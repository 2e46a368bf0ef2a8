import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RecordedEvent } from '@hub/event-store';
import { deadlinesFiredTwice, duplicateRows, lostEvents, snapshotDiff } from '../campaign/checks';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

const event = (eventId: string, streamId: string, type: string, data: unknown): RecordedEvent =>
  ({ eventId, streamId, type, data, metadata: {}, revision: 0, position: 0, recordedAt: '' }) as RecordedEvent;

describe('the reliability campaign (issue 10), short version', () => {
  it('npm run campaign -- --quick: SIGKILL rounds, Kafka and PostgreSQL away, hostile input: nothing lost or doubled', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['-r', '@swc-node/register', join(ROOT, 'scripts/campaign.ts'), '--quick'],
      { cwd: ROOT, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the campaign failed:\n${error.stdout ?? ''}\n${(error.stderr ?? error.message).slice(-3000)}`);
    });
    process.stdout.write(`${stdout}\n`);
    const figure = (label: string): string => {
      const line = stdout.split('\n').find((l) => l.startsWith(label));
      if (!line) throw new Error(`no "${label}" in the summary:\n${stdout}\n${stderr.slice(-2000)}`);
      return line.slice(label.length).trim();
    };
    expect(stdout).toContain('result: nothing lost, nothing doubled');
    expect(figure('crash rounds (SIGKILL, restart on the same data)')).toBe('3');
    expect(Number(figure('commands acknowledged (ledger)'))).toBeGreaterThan(20);
    expect(figure('losses (acknowledged events not in the log)')).toBe('0');
    expect(figure('read-model rows differing from a rebuild')).toBe('0');
    expect(figure('duplicate rows in read models')).toBe('0');
    expect(figure('relay messages never delivered')).toBe('0');
    expect(figure('deadlines fired twice')).toBe('0');
    expect(Number(figure('deadlines fired (påmindelser, krav)'))).toBeGreaterThan(0);
    expect(figure('kafka away under load')).toBe('15 s');
    expect(figure('postgresql away under load')).toBe('15 s');
    expect(figure('  5xx answers')).toBe('0');
  }, 600_000);

  it('its checks see a loss, a read model that differs from a rebuild, a duplicate row and a deadline fired twice', () => {
    const log = [event('e1', 'bestilling-1', 'BestillingAfgivet', {})];
    expect(lostEvents([{ command: 'x', eventIds: ['e1', 'e2'] }], log)).toEqual(['e2']);
    const live = new Map([['sagsoversigt_indsats', ['{"id":1}', '{"id":1}', '{"id":2}']]]);
    const rebuilt = new Map([['sagsoversigt_indsats', ['{"id":1}', '{"id":2}']]]);
    expect(snapshotDiff(live, rebuilt)).toEqual(['sagsoversigt_indsats: only live ×1 {"id":1}']);
    expect(snapshotDiff(rebuilt, rebuilt)).toEqual([]);
    expect(duplicateRows(live)).toBe(1);
    const paamindelse = {
      art: 'opfoelgning_overskredet',
      alvor: 'overskredet',
      modtager: 'udfoerer',
      emne: {},
      forfald: 'x',
    };
    const twice = deadlinesFiredTwice([
      event('p1', 'tilbagemeldingspligt-1', 'PaamindelseSendt', { ...paamindelse, paamindelseId: 'a' }),
      event('p2', 'tilbagemeldingspligt-1', 'PaamindelseSendt', { ...paamindelse, paamindelseId: 'b' }),
      event('p3', 'tilbagemeldingspligt-1', 'PaamindelseSendt', { ...paamindelse, forfald: 'y', paamindelseId: 'c' }),
    ]);
    expect([twice.fired, twice.twice.length]).toEqual([2, 1]);
  });
});
