import 'reflect-metadata';
import pino from 'pino';
import { createHubApp } from './app';
import { ConfigError, loadConfig } from './config';

const logger = pino({ name: 'ffb-hub' });

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createHubApp(config);
  await app.listen(config.port);
  logger.info(
    {
      port: config.port,
      dataDir: config.dataDir,
      store: config.store.kind,
      shared: config.shared.kind,
      roles: [...config.roles],
      instance: config.instanceId,
      auth: config.auth.mode,
      piiMasterKey: config.piiMasterKeySource,
    },
    'hub listening',
  );
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) logger.error({ problems: error.problems }, 'invalid configuration');
  else logger.error({ err: error }, 'hub failed to start');
  process.exit(1);
});
