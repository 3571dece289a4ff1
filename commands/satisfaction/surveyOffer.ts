import { randomUUID } from 'node:crypto';
import type { SurveyOffer } from '../../domain/index.js';
import { readSystemConfig } from '../systemConfig/systemConfigRoutes.js';
import type { CommandDependencies } from '../commandContext.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The survey a resolution offers, as the system config says now: none when it is switched off;
 * else a new survey id, its token's seed and hash (the token itself is never kept: the email
 * worker rebuilds it), the scale and the expiry.
 */
export async function surveyOfferFor(
  deps: Pick<CommandDependencies, 'eventStore' | 'servedOrigin' | 'surveyTokens'>,
  threadId: string,
  now: Date,
): Promise<SurveyOffer | undefined> {
  const config = await readSystemConfig(deps.eventStore, deps.servedOrigin());
  if (!config.satisfactionSurveyEnabled) return undefined;
  const { tokenHash, tokenSeed } = deps.surveyTokens.mint(threadId);
  return {
    surveyId: randomUUID(),
    tokenSeed,
    tokenHash,
    scale: config.satisfactionScale,
    expiresAt: new Date(now.getTime() + config.satisfactionLinkDays * DAY_MS).toISOString(),
  };
}
