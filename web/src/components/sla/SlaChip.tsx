import { formatDateTime } from '../../lib/format';
import { nextChangeAt, slaClockLook, type SlaHeadline, type SlaTargetView, type SlaTone } from '../../lib/sla';
import { useNow } from '../../lib/sharedClock';
import { Icon, type IconName } from '../Icon';

const icons: Record<SlaTone, IconName> = {
  neutral: 'clock',
  warning: 'alert',
  breached: 'alertCircle',
  paused: 'clock',
  met: 'checkCircle',
  missed: 'alertCircle',
};

/** The words and colour of a clock at a given moment (the chip without its ticking). */
export function SlaChipAt({ clock, now }: { clock: SlaHeadline | SlaTargetView; now: number }) {
  const look = slaClockLook(clock, now);
  return (
    <span
      className={`sla-chip sla-${look.tone}`}
      data-testid="sla-chip"
      data-tone={look.tone}
      title={clock.dueAt ? `Due ${formatDateTime(clock.dueAt)}` : undefined}
    >
      <Icon name={icons[look.tone]} size={12} />
      {look.text}
    </span>
  );
}

/**
 * A thread's running clock ("first reply due in 1 h 20 m", "breached 15 m ago"), counted down
 * in the browser on the page's one shared clock: it turns amber and red by itself, without a push.
 */
export function SlaChip({ clock }: { clock: SlaHeadline | SlaTargetView }) {
  const now = useNow(nextChangeAt(clock, Date.now()));
  return <SlaChipAt clock={clock} now={now} />;
}
