import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseRegelfil, TOM_REGELFIL, type Regelfil } from '@hub/domain';
import type { SimuleretUr } from './clock';
import { parseKafkaConfig, type KafkaConfig } from './kafka/kafka.config';

export type AuthConfig =
  | { readonly mode: 'hs256'; readonly secret: Buffer; readonly source: 'env' | 'file' }
  | { readonly mode: 'oidc'; readonly issuer: string; readonly audience: string; readonly jwksUri?: string };

/** The hub's configuration, read once from the environment at boot (style.md habit 11). */
export interface HubConfig {
  readonly port: number;
  readonly dataDir: string;
  /** The event store (design.md §2): the embedded SQLite file, PostgreSQL (HUB_PG_URL), or KurrentDB. */
  readonly store:
    { readonly kind: 'sqlite' } | { readonly kind: 'postgres' } | { readonly kind: 'kurrentdb'; readonly url: string };
  /**
   * Where the state the instances share lives: the PII vault, idempotency keys, processed Kafka ids, the relay's
   * checkpoint, the leases and the rule state. PostgreSQL whenever the event store is not the embedded file, so
   * several instances can run at once (docker-compose.yml); else SQLite files in HUB_DATA_DIR.
   */
  readonly shared:
    { readonly kind: 'sqlite' } | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };
  /** This instance in the leases (HUB_INSTANCE_ID; default host, pid and a random part). */
  readonly instanceId: string;
  /** How long a worker lease lasts without renewal (HUB_LEASE_TTL_MS): the longest a standby waits after a crash. */
  readonly leaseTtlMs: number;
  /** How long audit-log entries are kept (HUB_AUDIT_RETENTION_DAYS, default 1826 = 5 years); purged daily. */
  readonly auditRetentionDays: number;
  readonly piiMasterKey: Buffer;
  readonly piiMasterKeySource: 'env' | 'file';
  readonly auth: AuthConfig;
  /** Largest accepted request body; larger ones get 413. */
  readonly bodyLimitBytes: number;
  /** Requests a minute per caller (party and kommunekode or tilbudId), per instance (HUB_RATE_LIMIT_PER_MINUTE); 0: off. */
  readonly rateLimitPerMinute: number;
  readonly logLevel: string;
  /** Warn rules per kommune and delmål scoring per tilbud (HUB_REGLER_FILE); none configured: the defaults. */
  readonly regelfil: Regelfil;
  /** What this instance runs (design.md §1): the HTTP API, the projector, the relay, the rules. Default: all. */
  readonly roles: ReadonlySet<Role>;
  readonly readStore:
    { readonly kind: 'sqlite' } | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };
  /** Key of the analysts' pseudonyms (HMAC of borgerId); generated into HUB_DATA_DIR on the embedded default. */
  readonly analyseKey: Buffer;
  /** Analysis groups smaller than this are suppressed (R-48). */
  readonly minGruppe: number;
  /** Kafka relay and command consumer (design.md §4); undefined when KAFKA_BROKERS is unset. */
  readonly kafka: KafkaConfig | undefined;
  /** Development and demos only: a simulated clock (HUB_CLOCK_START, HUB_CLOCK_SPEED); undefined: real time. */
  readonly ur?: SimuleretUr;
}

export const ROLES = ['api', 'projector', 'relay', 'rules'] as const;
export type Role = (typeof ROLES)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads a secret from the environment, or on the embedded default from a file it creates once (mode 0600). */
function secret(
  dataDir: string,
  fileName: string,
  fromEnv: string | undefined,
): { value: Buffer; source: 'env' | 'file' } {
  if (fromEnv !== undefined) return { value: Buffer.from(fromEnv, 'base64'), source: 'env' };
  const file = join(dataDir, fileName);
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  return { value: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), source: 'file' };
}

const FS_REASONS: Readonly<Record<string, string>> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device (the disk is full)',
  EDQUOT: 'the disk quota is exhausted',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'a file of that name is in the way',
};

const fsReason = (error: unknown): string => {
  const { code, message } = error as { code?: string; message?: string };
  return (code && FS_REASONS[code]) ?? message ?? String(error);
};

/**
 * The data directory exists (or can be made), is a directory and, when the embedded stores keep their files in it,
 * takes a write: a read-only or full disk stops the hub at boot naming the cause, not with a driver error later.
 */
function checkDataDir(dataDir: string, writable: boolean): string | undefined {
  try {
    if (existsSync(dataDir) && !statSync(dataDir).isDirectory())
      return `HUB_DATA_DIR ${dataDir} is not a directory (it is a file); point it at a directory`;
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    return `HUB_DATA_DIR ${dataDir} cannot be created: ${fsReason(error)}`;
  }
  if (!writable) return undefined;
  const probe = join(dataDir, `.write-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'ffb-hub', { flag: 'w' });
  } catch (error) {
    return `HUB_DATA_DIR ${dataDir} is not writable: ${fsReason(error)}`;
  } finally {
    rmSync(probe, { force: true });
  }
  return undefined;
}

export const JWT_SECRET_FILE = 'hub-jwt-secret';
export const PII_KEY_FILE = 'pii-master.key';
export const ANALYSE_KEY_FILE = 'analyse-pseudonym.key';

/**
 * Parses the environment. On the embedded default, a missing HUB_PII_MASTER_KEY or HUB_JWT_SECRET is generated once
 * into HUB_DATA_DIR, so `npm start` works on a fresh clone and keeps working across restarts.
 */
export function loadConfig(env: NodeJS.ProcessEnv): HubConfig {
  const problems: string[] = [];
  const port = env['PORT'] === undefined ? 3000 : Number(env['PORT']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be an integer 0–65535, got "${env['PORT']}"`);
  const dataDir = resolve(env['HUB_DATA_DIR'] ?? './data');
  const storeKind = env['HUB_STORE'] ?? 'sqlite';
  if (storeKind !== 'sqlite' && storeKind !== 'postgres' && storeKind !== 'kurrentdb')
    problems.push(`HUB_STORE must be sqlite, postgres or kurrentdb, got "${storeKind}"`);
  const pgUrl = env['HUB_PG_URL'];
  if ((storeKind === 'postgres' || storeKind === 'kurrentdb') && !pgUrl)
    problems.push(
      `HUB_PG_URL is required with HUB_STORE=${storeKind}: the read models, leases, checkpoints, rule state and PII vault of several instances live there`,
    );
  if (storeKind === 'kurrentdb' && !env['HUB_KURRENTDB_URL'])
    problems.push('HUB_KURRENTDB_URL is required with HUB_STORE=kurrentdb, e.g. kurrentdb://kurrentdb:2113?tls=false');
  const pgSchema = env['HUB_PG_SCHEMA'] ?? 'hub';
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(pgSchema))
    problems.push(`HUB_PG_SCHEMA must be a lower-case SQL identifier of at most 41 characters, got "${pgSchema}"`);
  const leaseTtlMs = env['HUB_LEASE_TTL_MS'] === undefined ? 10_000 : Number(env['HUB_LEASE_TTL_MS']);
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 200 || leaseTtlMs > 600_000)
    problems.push('HUB_LEASE_TTL_MS must be an integer from 200 to 600000');
  const auditRetentionDays =
    env['HUB_AUDIT_RETENTION_DAYS'] === undefined ? 1826 : Number(env['HUB_AUDIT_RETENTION_DAYS']);
  if (!Number.isInteger(auditRetentionDays) || auditRetentionDays < 1 || auditRetentionDays > 36_500)
    problems.push('HUB_AUDIT_RETENTION_DAYS must be an integer from 1 to 36500 (days)');
  const bodyLimitBytes = env['HUB_BODY_LIMIT_BYTES'] === undefined ? 1024 * 1024 : Number(env['HUB_BODY_LIMIT_BYTES']);
  if (!Number.isInteger(bodyLimitBytes) || bodyLimitBytes < 1024)
    problems.push('HUB_BODY_LIMIT_BYTES must be an integer >= 1024');
  const rateLimitText = env['HUB_RATE_LIMIT_PER_MINUTE'];
  const rateLimitPerMinute = rateLimitText === undefined ? 6000 : Number(rateLimitText);
  if (rateLimitText?.trim() === '' || !Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 0)
    problems.push(
      `HUB_RATE_LIMIT_PER_MINUTE must be an integer >= 0 (requests a minute per party; 0 turns the limit off), got "${rateLimitText}"`,
    );
  const issuer = env['HUB_OIDC_ISSUER'];
  const audience = env['HUB_OIDC_AUDIENCE'];
  if (issuer !== undefined && audience === undefined)
    problems.push('HUB_OIDC_AUDIENCE is required with HUB_OIDC_ISSUER');
  if (issuer !== undefined && env['HUB_JWT_SECRET'] !== undefined)
    problems.push('set either HUB_OIDC_ISSUER (production) or HUB_JWT_SECRET (development), not both');
  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  }
  for (const key of ['HUB_OIDC_ISSUER', 'HUB_OIDC_JWKS_URI'] as const) {
    const value = env[key];
    if (value !== undefined && !URL.canParse(value)) problems.push(`${key} must be a URL, got "${value}"`);
  }
  const regelfil = readRegelfil(env['HUB_REGLER_FILE'], problems);
  const roles = (env['HUB_ROLES'] ?? ROLES.join(','))
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  for (const r of roles)
    if (!(ROLES as readonly string[]).includes(r))
      problems.push(`HUB_ROLES: unknown role "${r}" (known: ${ROLES.join(', ')})`);
  const readStoreKind = env['HUB_READ_STORE'] ?? (storeKind === 'sqlite' ? 'sqlite' : 'postgres');
  if (readStoreKind !== 'sqlite' && readStoreKind !== 'postgres')
    problems.push(`HUB_READ_STORE must be sqlite or postgres, got "${readStoreKind}"`);
  if (readStoreKind === 'postgres' && !env['HUB_PG_URL'])
    problems.push('HUB_PG_URL is required with HUB_READ_STORE=postgres');
  const minGruppe = env['HUB_MIN_GRUPPE'] === undefined ? 5 : Number(env['HUB_MIN_GRUPPE']);
  if (!Number.isInteger(minGruppe) || minGruppe < 1) problems.push('HUB_MIN_GRUPPE must be an integer >= 1');
  const kafka = parseKafkaConfig(env);
  problems.push(...kafka.problems);
  const ur = readUr(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDirProblem = checkDataDir(dataDir, storeKind === 'sqlite' || readStoreKind === 'sqlite');
  if (dataDirProblem) throw new ConfigError([dataDirProblem]);
  const pii = secret(dataDir, PII_KEY_FILE, env['HUB_PII_MASTER_KEY']);
  if (pii.value.length !== 32)
    problems.push('HUB_PII_MASTER_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
  let auth: AuthConfig;
  if (issuer !== undefined) {
    auth = {
      mode: 'oidc',
      issuer,
      audience: audience as string,
      ...(env['HUB_OIDC_JWKS_URI'] ? { jwksUri: env['HUB_OIDC_JWKS_URI'] } : {}),
    };
  } else {
    const jwt = secret(dataDir, JWT_SECRET_FILE, env['HUB_JWT_SECRET']);
    if (jwt.value.length < 32) problems.push('HUB_JWT_SECRET must be at least 32 bytes, base64-encoded');
    auth = { mode: 'hs256', secret: jwt.value, source: jwt.source };
  }
  const analyseKey = secret(dataDir, ANALYSE_KEY_FILE, env['HUB_ANALYSE_KEY']).value;
  if (analyseKey.length !== 32) problems.push('HUB_ANALYSE_KEY must be 32 bytes, base64-encoded');
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    dataDir,
    store:
      storeKind === 'postgres'
        ? { kind: 'postgres' }
        : storeKind === 'kurrentdb'
          ? { kind: 'kurrentdb', url: env['HUB_KURRENTDB_URL'] as string }
          : { kind: 'sqlite' },
    shared: storeKind === 'sqlite' ? { kind: 'sqlite' } : { kind: 'postgres', url: pgUrl as string, schema: pgSchema },
    instanceId: env['HUB_INSTANCE_ID'] ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    leaseTtlMs,
    auditRetentionDays,
    piiMasterKey: pii.value,
    piiMasterKeySource: pii.source,
    auth,
    bodyLimitBytes,
    rateLimitPerMinute,
    logLevel,
    regelfil,
    roles: new Set(roles as Role[]),
    readStore:
      readStoreKind === 'postgres' ? { kind: 'postgres', url: pgUrl as string, schema: pgSchema } : { kind: 'sqlite' },
    analyseKey,
    minGruppe,
    kafka: kafka.kafka,
    ...(ur === undefined ? {} : { ur }),
  };
}

/** HUB_CLOCK_START and HUB_CLOCK_SPEED: a simulated clock for development and demos, never with production auth. */
function readUr(env: NodeJS.ProcessEnv, problems: string[]): SimuleretUr | undefined {
  const startText = env['HUB_CLOCK_START'];
  const speedText = env['HUB_CLOCK_SPEED'];
  if (startText === undefined) {
    if (speedText !== undefined)
      problems.push('HUB_CLOCK_SPEED is only allowed together with HUB_CLOCK_START (a simulated clock needs a start)');
    return undefined;
  }
  const start = new Date(startText);
  const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  if (!isoInstant.test(startText) || Number.isNaN(start.getTime()))
    problems.push(
      `HUB_CLOCK_START must be an ISO 8601 instant with a zone, e.g. 2026-01-05T07:00:00Z, got "${startText}"`,
    );
  const speed = speedText === undefined ? 1 : Number(speedText);
  if (
    speedText !== undefined &&
    (speedText.trim() === '' || !Number.isFinite(speed) || speed <= 0 || speed > 10_000_000)
  )
    problems.push(
      `HUB_CLOCK_SPEED must be a number > 0 and <= 10000000 (simulated seconds per real second), got "${speedText}"`,
    );
  if (env['HUB_OIDC_ISSUER'] !== undefined)
    problems.push(
      'HUB_CLOCK_START is for development and demos only and is refused with HUB_OIDC_ISSUER (production): a simulated clock would date real events wrongly',
    );
  return { start, speed };
}

function readRegelfil(file: string | undefined, problems: string[]): Regelfil {
  if (file === undefined) return TOM_REGELFIL;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`HUB_REGLER_FILE ${file} cannot be read as JSON: ${(error as Error).message}`);
    return TOM_REGELFIL;
  }
  const parsed = parseRegelfil(raw);
  if (parsed.ok) return parsed.value;
  problems.push(...parsed.errors.map((e) => `HUB_REGLER_FILE: ${e}`));
  return TOM_REGELFIL;
}
