export { LiveHub, defaultLiveLimits, type LiveHubOptions, type LiveLimits, type LiveStats } from './liveHub.js';
export {
  createUpgradeIdentityResolver,
  guestTokenOf,
  isRefusal,
  type LiveRefusal,
  type UpgradeIdentityOptions,
  type UpgradeIdentityResolver,
} from './liveIdentity.js';
export * from './liveProtocol.js';
export { PRESENCE_CHANNEL } from './presence.js';
