import {
  initialServiceLevelsState,
  matchSlaPolicy,
  parseDomainEvent,
  serviceLevelsDecider,
  slaServiceLevelsStreamName,
  type QueryType,
  type ServiceLevelEvent,
  type ServiceLevelsState,
  type SlaSnapshot,
} from '../../domain/index.js';
import type { EventStore } from '../../eventstore/port.js';

/**
 * The desk's calendars and policies as the log has them, for the commands that need them (a
 * query raised gets the policy that matches it). Kept in memory and brought up to date on every
 * use by reading only the events after the last one seen: one short read, never a stale answer.
 */
export class ServiceLevelPolicies {
  private state: ServiceLevelsState = initialServiceLevelsState;
  private revision = -1;
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly eventStore: EventStore) {}

  /** The state as of now, and the stream's revision. */
  async current(): Promise<{ state: ServiceLevelsState; revision: number }> {
    await this.freshRead();
    return { state: this.state, revision: this.revision };
  }

  /**
   * A read that begins after the caller came. One is on its way: it may have begun before, so
   * the caller waits for the next one, which everyone who comes meanwhile shares (a burst of
   * queries costs two reads, not one each).
   */
  private freshRead(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.refresh().finally(() => {
        this.inFlight = undefined;
      });
      return this.inFlight;
    }
    this.next ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.freshRead();
      });
    return this.next;
  }

  /** The policy (and calendar) a thread of this kind gets now, or null when none matches. */
  async match(thread: { queryType: QueryType; partnerOrgId: string }): Promise<SlaSnapshot | null> {
    const { state } = await this.current();
    return matchSlaPolicy(state, thread);
  }

  private async refresh(): Promise<void> {
    const events = await this.eventStore.readStream(slaServiceLevelsStreamName, { fromRevision: this.revision + 1 });
    let state = this.state;
    for (const recorded of events) {
      if (recorded.revision <= this.revision) continue;
      const version = typeof recorded.metadata.schemaVersion === 'number' ? recorded.metadata.schemaVersion : 1;
      state = serviceLevelsDecider.evolve(
        state,
        parseDomainEvent(recorded.type, recorded.data, version) as ServiceLevelEvent,
      );
      this.revision = recorded.revision;
    }
    this.state = state;
  }
}

const byStore = new WeakMap<EventStore, ServiceLevelPolicies>();

/** The one reader of the calendars and policies per event store in this process. */
export function serviceLevelPoliciesOf(eventStore: EventStore): ServiceLevelPolicies {
  let policies = byStore.get(eventStore);
  if (!policies) byStore.set(eventStore, (policies = new ServiceLevelPolicies(eventStore)));
  return policies;
}
