import type pg from 'pg';
import { z } from 'zod';
import { problems } from '../http/problem.js';
import { staffRoles, type StaffRole } from './identity.js';
import { dummyPasswordHash, hashPassword, needsRehash, passwordPolicy, verifyPassword } from './passwords.js';
import { notifyAccountSignedOut } from './sessions.js';
import { inTransaction } from '../database/transaction.js';

/** Roles an account (a person who signs in with a password) can hold. */
export const accountRoles = [...staffRoles, 'partner'] as const;
export type AccountRole = StaffRole | 'partner';

/** Who may be assigned a thread: the roles that work the inbox (`supportManagers`). */
export const assignableRoles: readonly AccountRole[] = ['admin', 'agent'];

/** An account as the rest of the desk sees it. The password hash never leaves this module. */
export interface Account {
  id: string;
  email: string;
  name: string;
  role: AccountRole;
  /** Set exactly when role is 'partner'. */
  partnerOrgId: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const emailSchema = z.string().trim().max(320).pipe(z.email());

export const newAccountSchema = z
  .object({
    email: emailSchema,
    name: z.string().trim().min(1).max(200),
    role: z.enum(accountRoles),
    partnerOrgId: z.string().trim().min(1).max(200).optional(),
    password: passwordPolicy,
  })
  .superRefine((input, ctx) => {
    if (input.role === 'partner' && !input.partnerOrgId) {
      ctx.addIssue({ code: 'custom', path: ['partnerOrgId'], message: 'is required for a partner account' });
    }
    if (input.role !== 'partner' && input.partnerOrgId) {
      ctx.addIssue({ code: 'custom', path: ['partnerOrgId'], message: 'is only for partner accounts' });
    }
  });

export type NewAccount = z.input<typeof newAccountSchema>;

export const DEMO_PASSWORD = 'demo-password-1';

export interface DemoAccount {
  id: string;
  email: string;
  name: string;
  role: AccountRole;
  partnerOrgId: string | null;
  /** The shared demo password (public: it is printed at start). */
  password: string;
}

const demoAccounts: { email: string; name: string; role: AccountRole; partnerOrgId: string | null }[] = [
  { email: 'admin@demo.test', name: 'Ada Admin', role: 'admin', partnerOrgId: null },
  { email: 'agent@demo.test', name: 'Alex Agent', role: 'agent', partnerOrgId: null },
  { email: 'auditor@demo.test', name: 'Audrey Auditor', role: 'auditor', partnerOrgId: null },
  { email: 'ops@demo.test', name: 'Oscar Ops', role: 'ops', partnerOrgId: null },
  { email: 'partner@acme.test', name: 'Pat Partner (Acme)', role: 'partner', partnerOrgId: 'acme' },
  { email: 'partner@globex.test', name: 'Pia Partner (Globex)', role: 'partner', partnerOrgId: 'globex' },
];

/** An `accounts` row as the stores select it. */
export interface AccountRow {
  id: string;
  email: string;
  name: string;
  role: AccountRole;
  partner_org_id: string | null;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, email, name, role, partner_org_id, disabled, created_at, updated_at';

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    partnerOrgId: row.partner_org_id,
    disabled: row.disabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export class AccountStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Creates an account. Bad input → 400 problem; an email already in use → 409 `email_taken`. */
  async create(input: NewAccount): Promise<Account> {
    const parsed = newAccountSchema.safeParse(input);
    if (!parsed.success) {
      throw problems.badRequest(
        parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      );
    }
    const { email, name, role, partnerOrgId, password } = parsed.data;
    const passwordHash = await hashPassword(password);
    try {
      const { rows } = await this.pool.query<AccountRow>(
        `INSERT INTO accounts (email, name, role, partner_org_id, password_hash)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${columns}`,
        [email, name, role, role === 'partner' ? partnerOrgId : null, passwordHash],
      );
      return toAccount(rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error)) throw problems.conflict('email_taken');
      throw error;
    }
  }

  async findByEmail(email: string): Promise<Account | undefined> {
    const { rows } = await this.pool.query<AccountRow>(
      `SELECT ${columns} FROM accounts WHERE lower(email) = lower($1)`,
      [email.trim()],
    );
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  async findById(id: string): Promise<Account | undefined> {
    if (!uuid.test(id)) return undefined;
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${columns} FROM accounts WHERE id = $1`, [id]);
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  /**
   * Staff who may be assigned a thread (admins and agents, not disabled), by name then id: one
   * page of `limit`, after `after` (the last of the previous page), names containing `q`.
   */
  async listAssignableStaff(options: {
    q?: string | undefined;
    after?: { name: string; id: string } | undefined;
    limit: number;
  }): Promise<{ id: string; name: string; sortName: string }[]> {
    const params: unknown[] = [assignableRoles];
    const where = ['role = ANY($1::text[])', 'NOT disabled'];
    if (options.q) {
      params.push(`%${options.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`name ILIKE $${params.length}`);
    }
    if (options.after) {
      params.push(options.after.name, options.after.id);
      where.push(`(lower(name), id) > ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(options.limit);
    const { rows } = await this.pool.query<{ id: string; name: string; sort_name: string }>(
      `SELECT id, name, lower(name) AS sort_name FROM accounts WHERE ${where.join(' AND ')}
        ORDER BY lower(name), id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, sortName: r.sort_name }));
  }

  async list(): Promise<Account[]> {
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${columns} FROM accounts ORDER BY lower(email)`);
    return rows.map(toAccount);
  }

  /**
   * Sets a new password (checked against the policy: 400 problem) and signs the account out
   * everywhere. Unknown email → 404 problem.
   */
  async setPassword(email: string, password: string): Promise<void> {
    const parsed = passwordPolicy.safeParse(password);
    if (!parsed.success) {
      throw problems.badRequest(parsed.error.issues.map((i) => ({ path: 'password', message: i.message })));
    }
    const passwordHash = await hashPassword(parsed.data);
    await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `UPDATE accounts SET password_hash = $2, updated_at = now() WHERE lower(email) = lower($1) RETURNING id`,
        [email.trim(), passwordHash],
      );
      if (!rows[0]) throw problems.notFound('No account has this email.');
      await client.query('DELETE FROM sessions WHERE account_id = $1', [rows[0].id]);
      // open live sockets of the account close at once, on every API process
      await notifyAccountSignedOut(client, rows[0].id);
    });
  }

  /** Disables (or re-enables) an account; disabling signs it out everywhere (its live sockets too). */
  async setDisabled(id: string, disabled: boolean): Promise<Account | undefined> {
    if (!uuid.test(id)) return undefined;
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<AccountRow>(
        `UPDATE accounts SET disabled = $2, updated_at = now() WHERE id = $1 RETURNING ${columns}`,
        [id, disabled],
      );
      if (rows[0] && disabled) {
        await client.query('DELETE FROM sessions WHERE account_id = $1', [id]);
        await notifyAccountSignedOut(client, id);
      }
      return rows[0] ? toAccount(rows[0]) : undefined;
    });
  }

  /**
   * The account whose email and password these are, or undefined — for an unknown email, a
   * disabled account, an account without a password or a wrong password alike. It always
   * runs one scrypt verification (against a dummy hash when there is no account), so the
   * time taken does not tell whether an email is registered.
   */
  async authenticate(email: string, password: string): Promise<Account | undefined> {
    const { rows } = await this.pool.query<AccountRow & { password_hash: string | null }>(
      `SELECT ${columns}, password_hash FROM accounts WHERE lower(email) = lower($1)`,
      [email.trim()],
    );
    const row = rows[0];
    const stored = row?.password_hash ?? (await dummyPasswordHash());
    const ok = await verifyPassword(password, stored);
    if (!row || !row.password_hash || !ok || row.disabled) return undefined;
    if (needsRehash(row.password_hash)) {
      const rehashed = await hashPassword(password);
      await this.pool
        .query('UPDATE accounts SET password_hash = $2 WHERE id = $1 AND password_hash = $3', [
          row.id,
          rehashed,
          row.password_hash,
        ])
        .catch(() => undefined);
    }
    return toAccount(row);
  }

  /**
   * Creates or restores the demo accounts (one per role, two partner organisations), all with
   * DEMO_PASSWORD, enabled. Idempotent. For development and demos only: the caller decides
   * whether to run it (never in production).
   */
  async ensureDemoAccounts(): Promise<DemoAccount[]> {
    const hashes = await Promise.all(demoAccounts.map(() => hashPassword(DEMO_PASSWORD)));
    const result: DemoAccount[] = [];
    for (const [index, demo] of demoAccounts.entries()) {
      const { rows } = await this.pool.query<AccountRow>(
        `INSERT INTO accounts AS a (email, name, role, partner_org_id, password_hash)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ((lower(email))) DO UPDATE
           SET name = EXCLUDED.name, role = EXCLUDED.role, partner_org_id = EXCLUDED.partner_org_id,
               password_hash = EXCLUDED.password_hash, disabled = false, updated_at = now()
         RETURNING ${columns}`,
        [demo.email, demo.name, demo.role, demo.partnerOrgId, hashes[index]],
      );
      const account = toAccount(rows[0]!);
      result.push({
        id: account.id,
        email: account.email,
        name: account.name,
        role: account.role,
        partnerOrgId: account.partnerOrgId,
        password: DEMO_PASSWORD,
      });
    }
    return result;
  }
}
