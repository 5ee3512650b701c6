/**
 * The demo server's command line: `tsx src/main.ts [--port 8080] [--tick-rate 20] …`.
 * SIGINT and SIGTERM shut down gracefully: every client is told (close 4004) before exit.
 */
import { ConfigError, USAGE, parseCommandLine } from './config';
import { startDemoServer } from './demo-server';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  const server = await startDemoServer(parsed.config);
  const shutDown = (signal: string): void => {
    server.game.log.info({ signal }, 'signal received');
    // A second signal means "now": do not wait for clients to say goodbye.
    process.once(signal, () => process.exit(1));
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        server.game.log.error({ error: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutDown('SIGINT'));
  process.once('SIGTERM', () => shutDown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`demo server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
