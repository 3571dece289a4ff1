/**
 * `npm run ops -- <command>`: what ops need at 3 a.m. Each command has --help.
 * It works on the same database the desk uses (DATABASE_URL, or the embedded one).
 */
import { ConfigError, loadConfig } from '../app/config.js';
import { openInfrastructure } from '../app/infrastructure.js';
import { createLogger } from '../platform/logger.js';
import { accountCommands } from './accountCommands.js';
import { auditCommands } from './auditCommands.js';
import { help, parseCommandLine, printCommandHelp, UsageError, type Command } from './commandLine.js';
import { diagnosticsCommands } from './diagnosticsCommand.js';
import { emailCommands } from './emailCommands.js';
import { projectionCommands } from './projectionCommands.js';
import { seedCommands } from './seedCommand.js';

/** Every command, in the order `help` lists them. */
export const commands: Record<string, Command> = {
  ...projectionCommands,
  ...auditCommands,
  ...accountCommands,
  ...diagnosticsCommands,
  ...emailCommands,
  ...seedCommands,
};

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help(commands));
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command: ${name}\n\n${help(commands)}`);
    return 2;
  }
  const parsed = parseCommandLine(command, rest);
  if (parsed.values.help) {
    printCommandHelp(command);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const infra = await openInfrastructure({ ...config, LOG_LEVEL: 'warn' }, logger, `support-desk-ops-${name}`);
  try {
    return await command.run(infra, parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  } finally {
    await infra.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      if (error instanceof UsageError || error instanceof ConfigError) console.error(error.message);
      else console.error(error instanceof Error ? error.message : error);
      process.exit(error instanceof UsageError ? 2 : 1);
    });
}
