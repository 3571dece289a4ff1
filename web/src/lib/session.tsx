import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, api, onUnauthorized } from './api';
import type { Account, Identity, StaffRole } from './types';

/** A person signed in to this app (a guest has a link, a host platform calls the API, neither signs in here). */
export type SignedIn = Extract<Identity, { kind: 'staff' | 'partner' }>;

export type SessionState =
  { status: 'loading' } | { status: 'anonymous'; expired?: boolean } | { status: 'signedIn'; identity: SignedIn };

interface SessionApi {
  state: SessionState;
  signIn(email: string, password: string): Promise<SignedIn>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

function identityOf(account: Account): SignedIn {
  if (account.role === 'partner') {
    return {
      kind: 'partner',
      role: 'partner',
      accountId: account.id,
      partnerOrgId: account.partnerOrgId ?? '',
      name: account.name,
      email: account.email,
      via: 'session',
    };
  }
  const { id: accountId, role, name, email } = account;
  return { kind: 'staff', role, accountId, name, email, via: 'session' };
}

/** Who is signed in (GET /api/auth/me at start), sign-in and sign-out. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    api
      .get<{ identity: Identity }>('/api/auth/me')
      .then(({ identity }) => {
        if (cancelled) return;
        setState(
          identity.kind === 'staff' || identity.kind === 'partner'
            ? { status: 'signedIn', identity }
            : { status: 'anonymous' },
        );
      })
      .catch(() => !cancelled && setState({ status: 'anonymous' }));
    const off = onUnauthorized(() => setState({ status: 'anonymous', expired: true }));
    return () => {
      cancelled = true;
      off();
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const answer = await api.post<{ account: Account; csrfToken: string }>('/api/auth/sign-in', { email, password });
    const identity = identityOf(answer.account);
    setState({ status: 'signedIn', identity });
    return identity;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/api/auth/sign-out');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
    setState({ status: 'anonymous' });
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The signed-in identity; only for pages behind RequireRole. */
export function useIdentity(): SignedIn {
  const { state } = useSession();
  if (state.status !== 'signedIn') throw new Error('useIdentity without a signed-in identity');
  return state.identity;
}

export function homeOf(identity: SignedIn): string {
  if (identity.kind === 'partner') return '/portal';
  const homes: Record<StaffRole, string> = {
    admin: '/admin/support',
    agent: '/admin/support',
    auditor: '/audit',
    ops: '/ops',
  };
  return homes[identity.role];
}

export const canManageSupport = (identity: SignedIn) =>
  identity.kind === 'staff' && (identity.role === 'admin' || identity.role === 'agent');
export const canAudit = (identity: SignedIn) =>
  identity.kind === 'staff' && (identity.role === 'admin' || identity.role === 'auditor');
export const canOperate = (identity: SignedIn) =>
  identity.kind === 'staff' && (identity.role === 'admin' || identity.role === 'ops');
export const isAdmin = (identity: SignedIn) => identity.kind === 'staff' && identity.role === 'admin';
