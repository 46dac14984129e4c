import 'dotenv/config';
import { ConfigError, loadConfig } from './config';
import { KeyError } from './security/secrets';
import { startService } from './service';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const service = await startService(config);
  const shutdown = (signal: string) => {
    service.deps.logger.info('shutting down', { signal });
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        service.deps.logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`wadesk failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof KeyError ? 78 : 1); // EX_CONFIG: the operator must act
});
