import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubClock } from './clock';
import { ConfigError, loadConfig } from './config';

describe('the hub clock', () => {
  it('is real time without HUB_CLOCK_START, and runs from the start at the speed with it', () => {
    let real = 1_000_000;
    const realNow = () => real;
    expect(hubClock(undefined, realNow)().getTime()).toBe(1_000_000);
    const ur = hubClock({ start: new Date('2026-01-05T07:00:00Z'), speed: 86_400 }, realNow);
    expect(ur().toISOString()).toBe('2026-01-05T07:00:00.000Z');
    real += 1500; // one and a half real seconds: a day and a half
    expect(ur().toISOString()).toBe('2026-01-06T19:00:00.000Z');
    expect(ur.simuleret?.speed).toBe(86_400);
  });
});

describe('HUB_CLOCK_START and HUB_CLOCK_SPEED', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hub-clock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ HUB_DATA_DIR: dir, ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('reads a start and a speed; the speed defaults to 1; unset is real time', () => {
    expect(loadConfig({ HUB_DATA_DIR: dir }).ur).toBeUndefined();
    expect(loadConfig({ HUB_DATA_DIR: dir, HUB_CLOCK_START: '2026-01-05T07:00:00Z' }).ur).toEqual({
      start: new Date('2026-01-05T07:00:00Z'),
      speed: 1,
    });
    expect(
      loadConfig({ HUB_DATA_DIR: dir, HUB_CLOCK_START: '2026-01-05T08:00:00+01:00', HUB_CLOCK_SPEED: '2.5' }).ur,
    ).toEqual({ start: new Date('2026-01-05T07:00:00Z'), speed: 2.5 });
  });

  it.each([
    [{ HUB_CLOCK_SPEED: '100' }, 'HUB_CLOCK_SPEED is only allowed together with HUB_CLOCK_START'],
    [{ HUB_CLOCK_START: '5. januar 2026' }, 'HUB_CLOCK_START must be an ISO 8601 instant'],
    [{ HUB_CLOCK_START: '2026-01-05' }, 'HUB_CLOCK_START must be an ISO 8601 instant'],
    [{ HUB_CLOCK_START: '2026-01-05T07:00:00Z', HUB_CLOCK_SPEED: '0' }, 'HUB_CLOCK_SPEED must be a number > 0'],
    [{ HUB_CLOCK_START: '2026-01-05T07:00:00Z', HUB_CLOCK_SPEED: 'hurtig' }, 'HUB_CLOCK_SPEED must be a number > 0'],
    [
      { HUB_CLOCK_START: '2026-01-05T07:00:00Z', HUB_OIDC_ISSUER: 'https://idp.example', HUB_OIDC_AUDIENCE: 'hub' },
      'refused with HUB_OIDC_ISSUER',
    ],
  ])('refuses %j', (env, problem) => {
    expect(problems(env)).toEqual([expect.stringContaining(problem)]);
  });
});
