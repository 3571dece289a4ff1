import { emailDeliveriesProjection } from './emailDeliveries.js';
import { emailDeliveryReportsProjection } from './emailDeliveryReports.js';
import { emailSuppressionsProjection } from './emailSuppressions.js';
import { guestLinksProjection } from './guestLinks.js';
import { reportsProjection } from './reports.js';
import type { Projection } from './projection.js';
import { systemConfigProjection } from './systemConfig.js';
import { threadInboxProjection } from './threadInbox.js';
import { serviceLevelsProjection } from './serviceLevels.js';

/** Every read model the desk keeps. */
export const allProjections: readonly Projection[] = [
  threadInboxProjection,
  guestLinksProjection,
  systemConfigProjection,
  emailDeliveriesProjection,
  emailDeliveryReportsProjection,
  emailSuppressionsProjection,
  serviceLevelsProjection,
  reportsProjection,
];
