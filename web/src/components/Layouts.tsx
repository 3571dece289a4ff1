import { useEffect, useRef, type ReactNode } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { label } from '../lib/format';
import { canAudit, canManageSupport, canOperate, isAdmin, useSession, type SignedIn } from '../lib/session';
import { useHeldMailCount } from '../lib/useHeldMailCount';
import { Icon, type IconName } from './Icon';
import { Avatar, Button, EmptyState, LoadingState } from './ui';

function Brand({ to }: { to: string }) {
  return (
    <NavLink to={to} className="brand" aria-label="Support Desk home">
      <span className="brand-mark">
        <Icon name="message" size={16} />
      </span>
      <span className="brand-name">Support Desk</span>
    </NavLink>
  );
}

function UserMenu({ identity }: { identity: SignedIn }) {
  const { signOut } = useSession();
  const navigate = useNavigate();
  const role = identity.kind === 'partner' ? `Partner · ${identity.partnerOrgId}` : label(identity.role);
  return (
    <div className="user-menu">
      <div className="who">
        <span>{identity.name}</span>
        <span>{role}</span>
      </div>
      <Avatar name={identity.name} kind={identity.kind} />
      <Button
        variant="ghost"
        size="sm"
        icon="logout"
        onClick={() => void signOut().then(() => navigate('/sign-in'))}
        aria-label={`Sign out ${identity.name}`}
      >
        <span className="brand-name">Sign out</span>
      </Button>
    </div>
  );
}

/** Moves focus to the main heading on navigation, so screen readers hear the new page. */
function useFocusOnNavigate() {
  const location = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const h1 = document.querySelector<HTMLElement>('main h1');
    if (h1) {
      h1.tabIndex = -1;
      h1.focus({ preventScroll: true });
    }
  }, [location.pathname]);
}

function Shell({ nav, identity, home }: { nav: ReactNode; identity: SignedIn; home: string }) {
  useFocusOnNavigate();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Brand to={home} />
        <nav className="nav" aria-label="Main">
          {nav}
        </nav>
        <UserMenu identity={identity} />
      </header>
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}

/** Staff: inbox; config for admins; ops for ops and admins; audit for auditors and admins. */
export function StaffLayout({ identity }: { identity: SignedIn }) {
  const mayManage = canManageSupport(identity);
  const heldCount = useHeldMailCount(mayManage);
  const items: { to: string; text: string; icon: IconName; show: boolean; count?: number | null }[] = [
    { to: '/admin/support', text: 'Inbox', icon: 'inbox' as const, show: true },
    { to: '/admin/reports', text: 'Reports', icon: 'activity' as const, show: mayManage },
    { to: '/admin/held-mail', text: 'Held mail', icon: 'mail' as const, show: mayManage, count: heldCount },
    { to: '/admin/system-config', text: 'Config', icon: 'settings' as const, show: isAdmin(identity) },
    { to: '/admin/service-levels', text: 'Service levels', icon: 'clock' as const, show: isAdmin(identity) },
    { to: '/ops', text: 'Ops', icon: 'activity' as const, show: canOperate(identity) },
    { to: '/audit', text: 'Audit', icon: 'shield' as const, show: canAudit(identity) },
    { to: '/admin/my-settings', text: 'My settings', icon: 'mail' as const, show: mayManage },
  ];
  return (
    <Shell
      identity={identity}
      home="/admin/support"
      nav={items
        .filter((i) => i.show)
        .map((i) => (
          <NavLink key={i.to} to={i.to}>
            <Icon name={i.icon} />
            {i.text}
            {i.count ? (
              <span className="count" data-testid="held-mail-count" aria-label={`${i.count} open`}>
                {i.count}
              </span>
            ) : null}
          </NavLink>
        ))}
    />
  );
}

export function PartnerLayout({ identity }: { identity: SignedIn }) {
  return (
    <Shell
      identity={identity}
      home="/portal"
      nav={
        <NavLink to="/portal" end>
          <Icon name="briefcase" />
          Portal
        </NavLink>
      }
    />
  );
}

/** Renders the layout for signed-in people of the given kinds; sends others to sign in. */
export function RequireSignIn({ kind }: { kind: 'staff' | 'partner' }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <LoadingState text="Loading your desk…" />;
  if (state.status === 'anonymous') {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}${state.expired ? '&expired=1' : ''}`} replace />;
  }
  const identity = state.identity;
  if (identity.kind !== kind) {
    return (
      <main id="main" className="center-page">
        <div className="card center-card">
          <EmptyState icon="lock" title="This area is not for your account">
            You are signed in as {identity.name}. Go to your own home page instead.
          </EmptyState>
          <NavLink className="btn btn-primary" to={identity.kind === 'partner' ? '/portal' : '/admin/support'}>
            Go to my home
          </NavLink>
        </div>
      </main>
    );
  }
  return kind === 'staff' ? <StaffLayout identity={identity} /> : <PartnerLayout identity={identity} />;
}

/** Inside a layout: a page only some staff roles may see. */
export function RoleGate({ allow, children }: { allow: (identity: SignedIn) => boolean; children: ReactNode }) {
  const { state } = useSession();
  if (state.status !== 'signedIn') return null;
  if (!allow(state.identity)) {
    return (
      <div className="page">
        <div className="card">
          <EmptyState icon="lock" title="You do not have access to this page">
            Ask an admin if you need it.
          </EmptyState>
        </div>
      </div>
    );
  }
  return <>{children}</>;
}
