import { usePublicConfig } from '../lib/publicConfig';
import { Icon } from './Icon';
import { Alert, Button } from './ui';

/**
 * The origin of a portal base URL when it is not the one this page is served from (links built
 * on it would lead elsewhere: another port, an old host), else null.
 */
export function mismatchedOrigin(portalBaseUrl: string | undefined, here = window.location.origin): string | null {
  if (!portalBaseUrl) return null;
  try {
    const origin = new URL(portalBaseUrl).origin;
    return origin === here ? null : origin;
  } catch {
    return null;
  }
}

/** On the config page: the saved portal base URL is not where the admin is using the desk. */
export function PortalUrlMismatch({ portalBaseUrl, onUseHere }: { portalBaseUrl: string; onUseHere: () => void }) {
  const elsewhere = mismatchedOrigin(portalBaseUrl);
  if (!elsewhere) return null;
  const here = window.location.origin;
  return (
    <div data-testid="portal-url-mismatch">
      <Alert kind="warning" title="Links lead to another address">
        Guest links and links in emails start with {elsewhere}, but you are using the desk at {here}. Unless {elsewhere}{' '}
        reaches this desk, people who open them will not get here.{' '}
        <Button size="sm" variant="ghost" onClick={onUseHere}>
          Use {here}
        </Button>
      </Alert>
    </div>
  );
}

/** Next to "Issue link": the links would start with another origin than this page's. */
export function IssueLinkOriginWarning() {
  // current: an admin who just fixed the URL (here or in another tab) must not be warned still
  const config = usePublicConfig();
  const elsewhere = mismatchedOrigin(config.data?.portalBaseUrl);
  if (!elsewhere) return null;
  return (
    <p className="small row" role="status" data-testid="issue-link-origin-warning" style={{ color: 'var(--amber)' }}>
      <Icon name="alert" size={14} />
      Links start with {elsewhere}, not this page's address ({window.location.origin}): check the portal base URL in
      Config.
    </p>
  );
}
