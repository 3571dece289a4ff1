import { useState } from 'react';
import { useToast } from '../components/Toasts';
import { Alert, ErrorState, LoadingState } from '../components/ui';
import { api, errorText } from '../lib/api';
import type { AccountPreferences } from '../lib/types';
import { useDeskQuery } from '../lib/useDeskQuery';

/** A staff member's own settings: for now, whether they are emailed when a partner or guest writes. */
export function MySettingsPage() {
  const toast = useToast();
  const preferences = useDeskQuery({
    queryKey: ['me', 'preferences'] as const,
    read: (signal) => api.get<AccountPreferences>('/api/me/preferences', { signal }),
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function change(notifyOnPartnerMessages: boolean) {
    setBusy(true);
    setError(null);
    try {
      const saved = await api.put<AccountPreferences>('/api/me/preferences', { notifyOnPartnerMessages });
      preferences.setData(() => saved);
      toast(saved.notifyOnPartnerMessages ? 'You will be emailed' : 'You will not be emailed');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page page-narrow">
      <div className="page-header">
        <div>
          <h1>My settings</h1>
          <p>What the desk does for you alone.</p>
        </div>
      </div>
      <div className="card">
        {preferences.loading ? (
          <LoadingState text="Loading your settings…" />
        ) : preferences.error && !preferences.data ? (
          <ErrorState error={preferences.error} onRetry={() => void preferences.reload()} />
        ) : preferences.data ? (
          <div className="card-body stack">
            {error ? <Alert kind="error">{error}</Alert> : null}
            <div className="field">
              <label className="switch" htmlFor="me-notifyOnPartnerMessages">
                <input
                  id="me-notifyOnPartnerMessages"
                  type="checkbox"
                  role="switch"
                  checked={preferences.data.notifyOnPartnerMessages}
                  disabled={busy}
                  onChange={(e) => void change(e.target.checked)}
                  aria-describedby="me-notifyOnPartnerMessages-hint"
                />
                <span className="switch-track" aria-hidden="true" />
                <span className="field-label">Email me when a partner or guest writes in a thread assigned to me</span>
              </label>
              <span className="field-hint" id="me-notifyOnPartnerMessages-hint">
                Reply to that email to answer them: your reply is posted as your message and emailed to them. Threads
                nobody is assigned go to the support address, as the system config says.
              </span>
            </div>
          </div>
        ) : null}
      </div>
    </div>
  );
}
