/** What an ops command is, and the command line: the list of commands and one command's options. */
import { parseArgs } from 'node:util';
import type { Infrastructure } from '../app/infrastructure.js';

export interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; description: string }>;
  run(
    infra: Infrastructure,
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
  ): Promise<number>;
}

/** A command line that names no command, or a command used the wrong way: exit code 2. */
export class UsageError extends Error {}

export function help(commands: Record<string, Command>): string {
  return [
    'usage: npm run ops -- <command> [options]   (npm run ops -- <command> --help for details)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`),
  ].join('\n');
}

/** The options and positionals after the command's name, strict: an unknown option is an error. */
export function parseCommandLine(command: Command, rest: string[]) {
  return parseArgs({
    args: rest,
    options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
}

/** `<command> --help`: its usage, its summary and each of its options. */
export function printCommandHelp(command: Command): void {
  console.log(`usage: npm run ops -- ${command.usage}\n\n${command.summary}`);
  for (const [opt, o] of Object.entries(command.options)) console.log(`  --${opt.padEnd(12)} ${o.description}`);
}
