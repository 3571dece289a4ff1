/** `create-account` and `reset-password`: staff and partner accounts. */
import { randomBytes } from 'node:crypto';
import { AccountStore, type AccountRole } from '../platform/identity/accounts.js';
import { UsageError, type Command } from './commandLine.js';

async function passwordFrom(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: randomBytes(15).toString('base64url'), generated: true };
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return { password: Buffer.concat(chunks).toString('utf8').trim(), generated: false };
}

export const accountCommands: Record<string, Command> = {
  'create-account': {
    summary: 'Create a staff or partner account; prints a generated password once (or reads one with --password-stdin)',
    usage:
      'create-account --email <e> --name <n> --role <admin|agent|auditor|ops|partner> [--org <partnerOrgId>] [--password-stdin]',
    options: {
      email: { type: 'string', description: 'sign-in email' },
      name: { type: 'string', description: 'display name' },
      role: { type: 'string', description: 'admin, agent, auditor, ops or partner' },
      org: { type: 'string', description: 'the partner organisation (partners only)' },
      'password-stdin': {
        type: 'boolean',
        description: 'read the password from standard input instead of generating one',
      },
    },
    async run(infra, values) {
      const { password, generated } = await passwordFrom(Boolean(values['password-stdin']));
      const account = await new AccountStore(infra.pool).create({
        email: String(values.email ?? ''),
        name: String(values.name ?? ''),
        role: String(values.role ?? '') as AccountRole,
        ...(values.org ? { partnerOrgId: String(values.org) } : {}),
        password,
      });
      console.log(`created ${account.role} ${account.email} (${account.id})`);
      if (generated) console.log(`password (shown once): ${password}`);
      return 0;
    },
  },
  'reset-password': {
    summary: 'Set a new password for an account and sign it out everywhere',
    usage: 'reset-password --email <e> [--password-stdin]',
    options: {
      email: { type: 'string', description: 'the account' },
      'password-stdin': {
        type: 'boolean',
        description: 'read the password from standard input instead of generating one',
      },
    },
    async run(infra, values) {
      if (!values.email) throw new UsageError('--email is required');
      const { password, generated } = await passwordFrom(Boolean(values['password-stdin']));
      await new AccountStore(infra.pool).setPassword(String(values.email), password);
      console.log(`password reset for ${String(values.email)}; its sessions were ended`);
      if (generated) console.log(`password (shown once): ${password}`);
      return 0;
    },
  },
};
