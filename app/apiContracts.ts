import { eraseAttachment, uploadAttachments } from '../commands/attachments/attachmentRoutes.js';
import {
  attachmentThumbnail,
  downloadAttachment,
  getAttachmentFigures,
  signedAttachment,
} from '../read-api/attachments/attachmentReadRoutes.js';
import { getAssignment, listAssignments, upsertAssignment } from '../commands/assignmentDirectory/assignmentRoutes.js';
import {
  issueAssignmentGuestLink,
  issueThreadGuestLink,
  revokeGuestLink,
} from '../commands/guestLinks/guestLinkRoutes.js';
import {
  getSatisfactionSurvey,
  getThreadSatisfaction,
  rateSatisfaction,
} from '../commands/satisfaction/satisfactionRoutes.js';
import { getSystemConfig, updateSystemConfig } from '../commands/systemConfig/systemConfigRoutes.js';
import {
  getSlaConfig,
  reapplySlaToPeriod,
  reapplyThreadSla,
  removeSlaCalendar,
  removeSlaPolicy,
  saveSlaCalendar,
  saveSlaPolicy,
} from '../commands/serviceLevels/serviceLevelRoutes.js';
import { assignThread, changePriority, statusChanges } from '../commands/threads/manageThread.js';
import { postMessage } from '../commands/threads/postMessage.js';
import { raiseQuery } from '../commands/threads/raiseQuery.js';
import type { AnyRouteContract } from '../platform/http/route.js';
import { getMyPreferences, updateMyPreferences } from '../platform/identity/accountPreferences.js';
import { getCurrentIdentity, signIn, signOut } from '../platform/identity/authRoutes.js';
import { listAssignableStaff } from '../platform/identity/staffRoutes.js';
import { reportClientError } from '../platform/monitoring/clientLogs.js';
import { exportThreadHistory, getThreadHistory } from '../read-api/audit/auditRoutes.js';
import { listProjections, rebuildProjection } from '../read-api/opsRoutes.js';
import { getReportCsv, getReports } from '../read-api/reports/reportRoutes.js';
import {
  countInbox,
  getPublicConfig,
  getThread,
  listAssignmentGuestLinks,
  listInbox,
  listMyThreads,
} from '../read-api/readRoutes.js';
import {
  getDevMailbox,
  getEmailQueue,
  replyAsMailboxRecipient,
  retryFailedEmails,
  retryOneEmail,
} from '../workers/email/emailRoutes.js';
import { clearEmailSuppression, listEmailSuppressions } from '../workers/email/delivery/suppressionRoutes.js';
import { assignHeldMail, discardHeldMail, getHeldMail, listHeldMail } from '../workers/email/inbound/heldMailRoutes.js';
import { listDeadInbound, retryDeadInbound } from '../workers/email/inbound/inboundDeadLetterRoutes.js';
import { receiveResendWebhook } from '../workers/email/inbound/resendWebhookRoutes.js';

/**
 * Every route of the desk's API, as contracts: what the OpenAPI document, docs/api.md and the web
 * app's types are generated from, with no dependency built. composeApi serves exactly these, in
 * this order, and refuses to start when a handler is missing or has no contract here.
 */
export const apiContracts: readonly AnyRouteContract[] = [
  signIn,
  signOut,
  getCurrentIdentity,
  getMyPreferences,
  updateMyPreferences,
  raiseQuery,
  postMessage,
  uploadAttachments,
  downloadAttachment,
  attachmentThumbnail,
  signedAttachment,
  eraseAttachment,
  assignThread,
  changePriority,
  ...statusChanges.map((change) => change.contract),
  issueThreadGuestLink,
  issueAssignmentGuestLink,
  revokeGuestLink,
  getSatisfactionSurvey,
  rateSatisfaction,
  getThreadSatisfaction,
  getSystemConfig,
  updateSystemConfig,
  getSlaConfig,
  saveSlaCalendar,
  removeSlaCalendar,
  saveSlaPolicy,
  removeSlaPolicy,
  reapplyThreadSla,
  reapplySlaToPeriod,
  upsertAssignment,
  listAssignments,
  getAssignment,
  listInbox,
  countInbox,
  listMyThreads,
  getThread,
  listAssignmentGuestLinks,
  getPublicConfig,
  getReports,
  getReportCsv,
  listAssignableStaff,
  listProjections,
  rebuildProjection,
  getAttachmentFigures,
  reportClientError,
  getThreadHistory,
  exportThreadHistory,
  getEmailQueue,
  retryFailedEmails,
  retryOneEmail,
  getDevMailbox,
  replyAsMailboxRecipient,
  receiveResendWebhook,
  listEmailSuppressions,
  clearEmailSuppression,
  listHeldMail,
  getHeldMail,
  assignHeldMail,
  discardHeldMail,
  listDeadInbound,
  retryDeadInbound,
];
