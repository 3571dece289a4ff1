/** The domain's public API: deciders, events and the input schemas other layers reuse. */
export * from './shared.js';
export * from './events.js';

export * from './thread/vocabulary.js';
export * from './thread/events.js';
export * from './thread/satisfaction.js';
export * from './thread/commands.js';
export * from './thread/state.js';
export { decideThread } from './thread/decide.js';
export * from './thread/decider.js';

export * from './guestLink/vocabulary.js';
export * from './guestLink/events.js';
export * from './guestLink/commands.js';
export * from './guestLink/state.js';
export { decideGuestLink } from './guestLink/decide.js';
export * from './guestLink/access.js';
export * from './guestLink/decider.js';

export * from './systemConfig/config.js';
export * from './systemConfig/events.js';
export * from './systemConfig/commands.js';
export * from './systemConfig/state.js';
export { decideSystemConfig } from './systemConfig/decide.js';
export * from './systemConfig/decider.js';

export * from './email/events.js';
export * from './email/outcomes.js';

export * from './serviceLevel/vocabulary.js';
export * from './serviceLevel/events.js';
export * from './serviceLevel/commands.js';
export * from './serviceLevel/state.js';
export * from './serviceLevel/businessTime.js';
export * from './serviceLevel/clocks.js';
export { decideServiceLevels } from './serviceLevel/decide.js';
export * from './serviceLevel/decider.js';
