import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicNames } from '@hub/relay';
import { parse } from 'yaml';
import { loadConfig } from './config';

/**
 * docker-compose.yml cannot be run here (no Docker engine), so its shape is checked: the services the production
 * topology names, the hub's environment accepted by the hub's own configuration parser, every mounted file present,
 * Prometheus scraping each hub instance, and the topic init creating exactly the topics the relay uses.
 */
const ROOT = join(__dirname, '..', '..', '..');
type Service = {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  entrypoint?: string[];
};
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const hubServices = Object.entries(services).filter(([, s]) => s.build === '.');

/** Compose's ${VAR:?message} and ${VAR:-default} with the given .env values. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g, (_m, name: string, op?: string, rest?: string) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (op === '-') return rest ?? '';
    throw new Error(`${name} is required: ${rest}`);
  });
}

describe('docker-compose.yml', () => {
  it('runs KurrentDB, Kafka with a topic init step, PostgreSQL, Prometheus, Grafana and the hub as two API instances and one worker', () => {
    for (const name of ['kurrentdb', 'kafka', 'kafka-init', 'postgres', 'prometheus', 'grafana', 'hub'])
      expect(Object.keys(services)).toContain(name);
    const roles = hubServices.map(([, s]) => s.environment?.['HUB_ROLES']).sort();
    expect(roles).toEqual(['api', 'api', 'projector,relay,rules']);
    expect(services['kafka']?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(services['kafka-init']?.entrypoint?.join(' ')).toContain('create-topics.sh');
    for (const [, s] of hubServices)
      expect(s.depends_on).toMatchObject({ 'kafka-init': { condition: 'service_completed_successfully' } });
  });

  it("gives every hub instance an environment the hub's configuration accepts, with the same shared keys", () => {
    const dotenv = {
      POSTGRES_PASSWORD: 'secret',
      HUB_PII_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
      HUB_JWT_SECRET: Buffer.alloc(32, 2).toString('base64'),
      HUB_ANALYSE_KEY: Buffer.alloc(32, 3).toString('base64'),
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'compose-'));
    try {
      const instances = new Set<string>();
      for (const [name, s] of hubServices) {
        const env = Object.fromEntries(
          Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), dotenv)]),
        );
        const config = loadConfig({ ...env, HUB_DATA_DIR: dataDir });
        expect({ name, store: config.store.kind, shared: config.shared.kind }).toEqual({
          name,
          store: 'kurrentdb',
          shared: 'postgres',
        });
        expect(config.readStore.kind).toBe('postgres');
        expect(config.kafka?.client.brokers).toEqual(['kafka:9092']);
        instances.add(config.instanceId);
      }
      expect(instances.size).toBe(hubServices.length);
      // Without the .env secrets compose refuses to start, naming the missing one.
      expect(() => interpolate(String(hubServices[0]?.[1].environment?.['HUB_PII_MASTER_KEY']), {})).toThrow(
        /HUB_PII_MASTER_KEY is required/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('mounts only files that exist, and Prometheus scrapes every hub instance', () => {
    for (const [, s] of Object.entries(services))
      for (const volume of s.volumes ?? []) {
        const host = volume.split(':')[0] as string;
        if (host.startsWith('./'))
          expect({ volume, exists: existsSync(join(ROOT, host)) }).toEqual({ volume, exists: true });
      }
    const prometheus = parse(readFileSync(join(ROOT, 'infra/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(hubServices.map(([name]) => `${name}:3000`).sort());
    const nginx = readFileSync(join(ROOT, 'infra/nginx/hub.conf'), 'utf8');
    for (const [name, s] of hubServices)
      if (s.environment?.['HUB_ROLES'] === 'api') expect(nginx).toContain(`server ${name}:3000`);
  });

  it("the topic init creates exactly the relay's outbound, command and dead-letter topics of each party", () => {
    const dir = mkdtempSync(join(tmpdir(), 'topics-'));
    try {
      // A stand-in for kafka-topics.sh that records what it is asked to create.
      const fake = join(dir, 'kafka-topics.sh');
      writeFileSync(
        fake,
        `#!/bin/sh\ncase "$*" in *--create*) echo "$*" | sed 's/.*--topic \\([^ ]*\\).*/\\1/' >> ${dir}/created;; esac\n`,
      );
      chmodSync(fake, 0o755);
      const script = readFileSync(join(ROOT, 'infra/kafka/create-topics.sh'), 'utf8').replace(
        'TOPICS=/opt/kafka/bin/kafka-topics.sh',
        `TOPICS=${fake}`,
      );
      writeFileSync(join(dir, 'create-topics.sh'), script);
      execFileSync('sh', [join(dir, 'create-topics.sh')], {
        env: { PATH: process.env['PATH'], FFB_PARTIES: 'myndighed:0101 udfoerer:tilbud-bosted' },
      });
      const created = readFileSync(join(dir, 'created'), 'utf8').trim().split('\n').sort();
      const t = topicNames('');
      const m = { party: 'myndighed', id: '0101' } as const;
      const u = { party: 'udfoerer', id: 'tilbud-bosted' } as const;
      expect(created).toEqual(
        [t.outbound(m), t.commands(m), t.deadLetter(m), t.outbound(u), t.commands(u), t.deadLetter(u)].sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
