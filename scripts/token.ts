/**
 * Mints a development token: `npm run token -- myndighed 0101`, `npm run token -- udfoerer tilbud-4711`,
 * `npm run token -- analytiker 0101` or `npm run token -- drift`.
 * Uses HUB_JWT_SECRET, or the secret the hub generated in HUB_DATA_DIR (default ./data) on its first start.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mintDevToken } from '../apps/hub/src/auth/dev-token';
import { JWT_SECRET_FILE, loadConfig } from '../apps/hub/src/config';

async function main(): Promise<void> {
  const [party, ...rest] = process.argv.slice(2);
  // drift has no scope claim, so its optional second argument is the sub.
  const [id, sub] = party === 'drift' ? [undefined, rest[0]] : rest;
  const scoped = party === 'myndighed' || party === 'udfoerer' || party === 'analytiker';
  if (!(scoped && id) && party !== 'drift') {
    process.stderr.write(
      [
        'usage: npm run token -- myndighed <kommunekode> [sub]',
        '       npm run token -- udfoerer <tilbudId> [sub]',
        '       npm run token -- analytiker <kommunekode> [sub]',
        '       npm run token -- drift [sub]',
        '',
      ].join('\n'),
    );
    process.exit(2);
  }
  const dataDir = resolve(process.env['HUB_DATA_DIR'] ?? './data');
  if (!process.env['HUB_JWT_SECRET'] && !existsSync(join(dataDir, JWT_SECRET_FILE))) {
    process.stderr.write(
      `note: ${join(dataDir, JWT_SECRET_FILE)} did not exist; it is created now and the hub will use it on its next start\n`,
    );
  }
  const config = loadConfig(process.env);
  if (config.auth.mode !== 'hs256') throw new Error('HUB_OIDC_ISSUER is set: tokens come from the identity provider');
  process.stdout.write(
    `${await mintDevToken(config.auth.secret, { party, ...(id ? { id } : {}), ...(sub ? { sub } : {}) })}\n`,
  );
}

void main();
