import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { Icon } from '../components/Icon';
import { Alert, Button, Field } from '../components/ui';
import { ApiError, errorText } from '../lib/api';
import { safeReturnPath } from '../lib/returnPath';
import { homeOf, useSession } from '../lib/session';

const demoAccounts = [
  ['admin@demo.test', 'admin'],
  ['agent@demo.test', 'agent'],
  ['auditor@demo.test', 'auditor'],
  ['ops@demo.test', 'ops'],
  ['partner@acme.test', 'partner, Acme'],
  ['partner@globex.test', 'partner, Globex'],
] as const;

export function SignInPage() {
  const { state, signIn } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  // back to the page that sent them here (a thread linked from an email): only a path of this app
  const next = safeReturnPath(params.get('next'), window.location.origin);

  if (state.status === 'signedIn') return <Navigate to={next ?? homeOf(state.identity)} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!email.trim()) found.email = 'Enter your email address';
    if (!password) found.password = 'Enter your password';
    setErrors(found);
    if (found.email || found.password) {
      document.getElementById(found.email ? 'sign-in-email' : 'sign-in-password')?.focus();
      return;
    }
    setBusy(true);
    try {
      const identity = await signIn(email.trim(), password);
      navigate(next ?? homeOf(identity), { replace: true });
    } catch (error) {
      setErrors({
        form:
          error instanceof ApiError && error.status === 401
            ? 'That email and password do not match an account.'
            : errorText(error),
        ...(error instanceof ApiError ? error.fieldErrors : {}),
      });
      setBusy(false);
    }
  }

  return (
    <div className="auth-page">
      <aside className="auth-aside" aria-hidden="true">
        <div className="brand" style={{ color: '#fff' }}>
          <span className="brand-mark" style={{ background: 'rgba(255,255,255,0.18)' }}>
            <Icon name="message" size={16} />
          </span>
          Support Desk
        </div>
        <div>
          <h2>Every partner question, answered and accounted for.</h2>
          <ul>
            <li>
              <Icon name="inbox" />
              <span>A live inbox: new queries and replies appear as they happen.</span>
            </li>
            <li>
              <Icon name="link" />
              <span>Guest links that expire, and can be revoked at once.</span>
            </li>
            <li>
              <Icon name="shieldCheck" />
              <span>A tamper-evident history of every thread, ready for audit.</span>
            </li>
          </ul>
        </div>
        <p className="small" style={{ color: '#c7d2fe' }}>
          Event-sourced, read-your-writes, zero-downtime rebuilds.
        </p>
      </aside>
      <main id="main" className="auth-main">
        <div className="auth-card">
          <h1>Sign in</h1>
          <p className="muted" style={{ marginBottom: 24 }}>
            Staff and partner accounts. Guests use the link they were sent.
          </p>
          {params.get('expired') ? (
            <div style={{ marginBottom: 16 }}>
              <Alert kind="warning">Your session ended. Sign in again to continue.</Alert>
            </div>
          ) : null}
          <form
            className="stack"
            onSubmit={(e) => void submit(e)}
            noValidate
            aria-describedby={errors.form ? 'sign-in-error' : undefined}
          >
            {errors.form ? (
              <div id="sign-in-error">
                <Alert kind="error">{errors.form}</Alert>
              </div>
            ) : null}
            <Field id="sign-in-email" label="Email" error={errors.email}>
              {(p) => (
                <input
                  {...p}
                  className="input"
                  type="email"
                  name="email"
                  autoComplete="username"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  autoFocus
                />
              )}
            </Field>
            <Field id="sign-in-password" label="Password" error={errors.password}>
              {(p) => (
                <input
                  {...p}
                  className="input"
                  type="password"
                  name="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
            <Button type="submit" variant="primary" className="btn-block" busy={busy}>
              Sign in
            </Button>
          </form>
          <details className="demo-accounts">
            <summary>Demo accounts</summary>
            <p style={{ marginTop: 8 }}>
              Password for all: <code>demo-password-1</code>
            </p>
            <ul>
              {demoAccounts.map(([address, role]) => (
                <li key={address}>
                  <button
                    type="button"
                    className="btn-ghost"
                    style={{
                      border: 0,
                      background: 'none',
                      padding: 0,
                      color: 'var(--accent)',
                      cursor: 'pointer',
                      font: 'inherit',
                    }}
                    onClick={() => {
                      setEmail(address);
                      setPassword('demo-password-1');
                    }}
                  >
                    {address}
                  </button>{' '}
                  <span>({role})</span>
                </li>
              ))}
            </ul>
          </details>
        </div>
      </main>
    </div>
  );
}
