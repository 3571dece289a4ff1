import type { Decider } from '../shared.js';
import type { GuestLinkCommand } from './commands.js';
import { decideGuestLink } from './decide.js';
import type { GuestLinkEvent } from './events.js';
import { evolveGuestLink, initialGuestLinkState, type GuestLinkState } from './state.js';

export const guestLinkDecider: Decider<GuestLinkCommand, GuestLinkEvent, GuestLinkState> = {
  decide: decideGuestLink,
  evolve: evolveGuestLink,
  initialState: initialGuestLinkState,
};
