import { describe, expect, it } from 'vitest';
import { foldReport, settleSla, type AlertRow, type ReportRow, type SpanRow } from '../../../projections/reportRows.js';
import { slaSnapshot, storyEvents, type ThreadStory } from '../../support/reportThreads.js';

const raisedAt = new Date('2026-11-02T09:00:00.000Z');
const at = (minutes: number) => new Date(raisedAt.getTime() + minutes * 60_000).toISOString();

/** Folds a story's events as the projection does: the last row, and every span written (last write wins). */
function fold(story: Omit<ThreadStory, 'raisedAt'>): {
  row: ReportRow | undefined;
  spans: SpanRow[];
  alerts: AlertRow[];
} {
  let row: ReportRow | undefined;
  let last = raisedAt.toISOString();
  const spans = new Map<number, SpanRow>();
  const alerts: AlertRow[] = [];
  storyEvents({ raisedAt, ...story }).forEach((event, i) => {
    const folded = foldReport(row, event, `event-${i}`);
    row = folded?.row;
    last = event.data.occurredAt;
    if (folded?.span) spans.set(folded.span.seq, folded.span);
    if (folded?.alert) alerts.push(folded.alert);
  });
  return { row: row && settleSla(row, last), spans: [...spans.values()], alerts };
}

describe('the reports fold', () => {
  it('when a thread is raised, then its row holds what it is about and one open span', () => {
    const { row, spans } = fold({ partnerOrgId: 'globex', queryType: 'TECHNICAL', priority: 'URGENT' });
    expect(row).toMatchObject({
      raised_at: at(0),
      partner_org_id: 'globex',
      query_type: 'TECHNICAL',
      priority: 'URGENT',
      status: 'OPEN',
      first_response_seconds: null,
      resolution_seconds: null,
      spans: 1,
      open_since: at(0),
    });
    expect(spans).toEqual([{ thread_id: row!.thread_id, seq: 1, opened_at: at(0), closed_at: null }]);
  });

  it('when staff answer the partner, then the first reply counts, not an internal note before it nor replies after', () => {
    const { row } = fold({
      steps: [
        { kind: 'note', minutes: 5 },
        { kind: 'reply', minutes: 42 },
        { kind: 'partnerMessage', minutes: 50 },
        { kind: 'reply', minutes: 60 },
      ],
    });
    expect(row?.first_response_at).toBe(at(42));
    expect(row?.first_response_seconds).toBe(42 * 60);
  });

  it('when a thread is resolved, reopened and resolved again, then resolution time is to the first, and each wait is a span', () => {
    const { row, spans } = fold({
      steps: [
        { kind: 'reply', minutes: 10 },
        { kind: 'resolve', minutes: 120 },
        { kind: 'reopen', minutes: 1440 },
        { kind: 'resolve', minutes: 1500 },
      ],
    });
    expect(row).toMatchObject({ resolution_at: at(120), resolution_seconds: 7200, resolved_at: at(1500), spans: 2 });
    expect(row?.open_since).toBeNull();
    expect(spans.map((s) => [s.seq, s.opened_at, s.closed_at])).toEqual([
      [1, at(0), at(120)],
      [2, at(1440), at(1500)],
    ]);
  });

  it('when a partner writes to a resolved thread, then it waits again (a new span), without a second resolution time', () => {
    const { row, spans } = fold({
      steps: [
        { kind: 'resolve', minutes: 30 },
        { kind: 'partnerMessage', minutes: 90 },
      ],
    });
    expect(row).toMatchObject({ status: 'OPEN', resolution_seconds: 1800, spans: 2, open_since: at(90) });
    expect(spans.at(-1)).toMatchObject({ seq: 2, opened_at: at(90), closed_at: null });
  });

  it('when a thread is closed without being resolved, then the closing is its resolution', () => {
    const { row } = fold({ steps: [{ kind: 'close', minutes: 15 }] });
    expect(row).toMatchObject({ status: 'CLOSED', closed_at: at(15), resolution_at: at(15), resolution_seconds: 900 });
  });

  it('when the priority changes after the answer, then the row shows today’s priority and the answer keeps the one it had', () => {
    const { row } = fold({
      priority: 'LOW',
      steps: [
        { kind: 'reply', minutes: 3 },
        { kind: 'priority', minutes: 4, to: 'URGENT' },
        { kind: 'resolve', minutes: 9 },
      ],
    });
    expect(row).toMatchObject({ priority: 'URGENT', first_response_priority: 'LOW', resolution_priority: 'URGENT' });
  });

  it('when a thread is assigned and unassigned, then the row follows the assignee', () => {
    const assigned = fold({ steps: [{ kind: 'assign', minutes: 1, assigneeId: 'agent-7', assigneeName: 'Ada' }] });
    expect(assigned.row).toMatchObject({ assignee_id: 'agent-7', assignee_name: 'Ada' });
    const unassigned = fold({
      steps: [
        { kind: 'assign', minutes: 1, assigneeId: 'agent-7', assigneeName: 'Ada' },
        { kind: 'assign', minutes: 2, assigneeId: null, assigneeName: null },
      ],
    });
    expect(unassigned.row).toMatchObject({ assignee_id: null, assignee_name: null });
  });

  it('when an event comes for a thread never seen raised, then nothing is folded', () => {
    const [, reply] = storyEvents({ raisedAt, steps: [{ kind: 'reply', minutes: 1 }] });
    expect(foldReport(undefined, reply!)).toBeUndefined();
  });

  it('when no service level applies, then the row has no business time and no target outcome', () => {
    const { row } = fold({ steps: [{ kind: 'reply', minutes: 5 }] });
    expect(row).toMatchObject({
      sla_policy_name: null,
      first_response_business_seconds: null,
      sla_first_response: null,
      sla_warnings: 0,
    });
  });

  it('when a policy applies (24/7), then business time follows its clocks and each target says met or missed', () => {
    // 2 November 2026 is a Monday; always open: business time is wall-clock time, but not while waiting on the partner
    const { row } = fold({
      sla: slaSnapshot({ alwaysOpen: true, firstResponse: 30, resolution: 120 }),
      steps: [
        { kind: 'reply', minutes: 20 },
        { kind: 'partnerMessage', minutes: 80 },
        { kind: 'resolve', minutes: 200 },
      ],
    });
    expect(row).toMatchObject({
      sla_policy_name: 'Office hours',
      first_response_business_seconds: 20 * 60,
      // 20 minutes to the reply, paused an hour while pending, 120 minutes after the partner wrote
      resolution_business_seconds: 140 * 60,
      sla_first_response: 'met',
      sla_resolution: 'missed',
      sla_next_missed: 1,
    });
  });

  it('when the scheduler records a warning and a breach, then each counts with the priority the thread had then', () => {
    const { row, alerts } = fold({
      priority: 'LOW',
      sla: slaSnapshot(),
      steps: [
        { kind: 'warning', minutes: 30, metric: 'firstResponse' },
        { kind: 'priority', minutes: 40, to: 'URGENT' },
        { kind: 'breach', minutes: 60, metric: 'firstResponse' },
      ],
    });
    expect(row).toMatchObject({ sla_warnings: 1, sla_breaches: 1, sla_first_response: 'breached' });
    expect(alerts.map((a) => [a.kind, a.metric, a.priority])).toEqual([
      ['warning', 'firstResponse', 'LOW'],
      ['breach', 'firstResponse', 'URGENT'],
    ]);
  });
});
