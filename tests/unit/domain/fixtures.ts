import type { Author, CommandMetadata } from '../../../domain/index.js';

export const staff: Author = { kind: 'staff', id: 'staff-1', name: 'Sam Support' };
export const otherStaff: Author = { kind: 'staff', id: 'staff-2', name: 'Alex Agent' };
export const partner: Author = { kind: 'partner', id: 'partner-user-1', name: 'Pat Partner' };
export const guest: Author = { kind: 'guest', id: 'guest-link-1', name: 'Guest' };
export const system: Author = { kind: 'system', id: 'email-worker', name: 'Support desk' };

const start = Date.parse('2025-03-03T09:00:00.000Z');

/** A moment `minutes` after the start of every scenario. */
export function at(minutes: number): Date {
  return new Date(start + minutes * 60_000);
}

export function iso(minutes: number): string {
  return at(minutes).toISOString();
}

export function by(author: Author, minutes = 0): CommandMetadata {
  return { author, now: at(minutes) };
}
