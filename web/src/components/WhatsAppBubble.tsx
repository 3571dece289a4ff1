import { shortId } from '../lib/format';
import { usePublicConfig } from '../lib/publicConfig';
import { WhatsAppIcon } from './Icon';

/** The prefilled message: which assignment, and which thread, the question is about. */
export function whatsappText(assignmentReference?: string, threadId?: string): string {
  if (!assignmentReference) return 'Hello, I have a question about my assignments';
  const thread = threadId ? ` (thread ${shortId(threadId)})` : '';
  return `Hello, I have a question about assignment ${assignmentReference}${thread}`;
}

/**
 * Free click-to-chat, bottom right on partner pages. Shown only when the desk has it enabled
 * and a number set (GET /api/support/public/config); an admin's change shows (or hides) it on
 * every open page at once, without a reload.
 */
export function WhatsAppBubble({ assignmentReference, threadId }: { assignmentReference?: string; threadId?: string }) {
  const config = usePublicConfig();
  const c = config.data;
  if (!c || !c.whatsappBubbleEnabled || !c.whatsappNumber) return null;
  const href = `https://wa.me/${c.whatsappNumber}?text=${encodeURIComponent(whatsappText(assignmentReference, threadId))}`;
  return (
    <a
      className="whatsapp-bubble"
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      data-testid="whatsapp-bubble"
      aria-label="Chat with support on WhatsApp (opens in a new tab)"
    >
      <WhatsAppIcon />
      <span className="label">Chat with us</span>
    </a>
  );
}
