import { useState } from 'react';
import { Button } from './ui';

/** Copies text; says "Copied" for a moment (and to screen readers). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // no clipboard permission (plain http): select the text field instead
      const input = document.querySelector<HTMLInputElement>('[data-copy-source]');
      input?.select();
      document.execCommand('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <Button variant="primary" icon={copied ? 'check' : 'copy'} onClick={() => void copy()} aria-live="polite">
      {copied ? 'Copied' : label}
    </Button>
  );
}
