/**
 * The desk API's types, generated from /api/openapi.json by openapi-typescript.
 * Do not edit: `npm run docs:api` rewrites this file (platform/http/apiTypes.ts).
 */

export interface paths {
  '/api/auth/sign-in': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Sign in with email and password
     * @description Starts a browser session: sets the httpOnly `sd_session` cookie and the `sd_csrf` cookie, whose value (also answered as csrfToken) must be sent in the X-CSRF-Token header of every write. A wrong email and a wrong password get the same answer. Limited per client ip and email, and per ip.
     *
     *     Public: no sign-in.
     */
    post: operations['signIn'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/sign-out': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Sign out
     * @description Ends the browser session and clears its cookies.
     *
     *     Any signed-in identity.
     */
    post: operations['signOut'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Who am I
     * @description The identity of the caller (never a token).
     *
     *     Any signed-in identity.
     */
    get: operations['getCurrentIdentity'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/me/preferences': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * My settings (admins and agents): whether I am emailed when a partner or guest writes in my threads
     * @description Allowed roles: admin, agent.
     */
    get: operations['getMyPreferences'];
    /**
     * Change my settings (admins and agents)
     * @description Takes effect for the emails decided from now on; the team address keeps the system config’s switch.
     *
     *     Allowed roles: admin, agent.
     */
    put: operations['updateMyPreferences'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Raise a query about an assignment (opens a thread)
     * @description A partner raises queries on their organisation’s assignments, a guest with an assignment link on that assignment, staff on any.
     *
     *     Allowed roles: partner, guest, admin, agent.
     */
    post: operations['raiseQuery'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/messages': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Post a message: a staff reply or internal note, or a partner or guest message
     * @description A staff reply (visibility external) makes the thread PENDING; a partner or guest message makes it OPEN, also from RESOLVED. Internal notes (staff only) change no status and are never shown to partners or guests. A CLOSED thread takes no messages. `attachmentIds` names files uploaded first (POST /api/support/attachments) by the same caller; an internal note’s files are as hidden as the note.
     *
     *     Allowed roles: admin, agent, partner, guest.
     */
    post: operations['postMessage'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/attachments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Upload files to attach to a message
     * @description multipart/form-data with one or more parts named `file`. Each file is streamed to storage (never held whole), its media type sniffed from its bytes (an allow-list; a name whose extension does not fit the bytes is refused), its name cleaned. The answer’s ids go in `attachmentIds` of the message (or query) that sends them; files no message takes are removed after a day. Until a file is scanned for viruses only its uploader can fetch it. A refused file (413 too large, 415 a type not taken, 422 not what its name says) refuses the whole request: nothing is kept.
     *
     *     Allowed roles: admin, agent, partner, guest.
     */
    post: operations['uploadAttachments'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/attachments/{attachmentId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A file’s bytes
     * @description For whoever may read its message; a staged file (not yet on a message) for its uploader only. Not served while it waits for the virus scan (409, but to its uploader), when a virus was found or it could not be scanned (403), or once erased (410). ETag is its SHA-256.
     *
     *     Allowed roles: admin, agent, auditor, ops, partner, guest.
     */
    get: operations['downloadAttachment'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/attachments/{attachmentId}/thumbnail': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A scaled-down copy of an image (WebP)
     * @description The same rights as the file; 404 when there is none (yet).
     *
     *     Allowed roles: admin, agent, auditor, ops, partner, guest.
     */
    get: operations['attachmentThumbnail'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/attachments/{attachmentId}/signed': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A file by the signed link in an email
     * @description The signature is the right: whoever holds the link may fetch that file until it expires (410 after). Only files of messages partners and guests see, scanned clean (or with no scanner configured), not erased.
     *
     *     Public: no sign-in.
     */
    get: operations['signedAttachment'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/attachments/{attachmentId}/erase': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Erase a file’s bytes (recorded, with the reason)
     * @description Appends AttachmentErased: the history keeps the file’s name and SHA-256 and shows it as erased, and the bytes are removed from storage unless another file that is not erased has the same bytes. Erasing an erased file changes nothing.
     *
     *     Allowed roles: admin.
     */
    post: operations['eraseAttachment'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/assign': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Assign the thread to a staff member (or unassign with null)
     * @description Allowed roles: admin, agent.
     */
    post: operations['assignThread'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/priority': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Change the thread priority
     * @description Allowed roles: admin, agent.
     */
    post: operations['changePriority'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/resolve': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Resolve the thread (from OPEN or PENDING)
     * @description Allowed roles: admin, agent.
     */
    post: operations['resolveThread'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/close': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Close the thread (from any status); it then takes no messages
     * @description Allowed roles: admin, agent.
     */
    post: operations['closeThread'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/reopen': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reopen the thread (from RESOLVED or CLOSED)
     * @description Allowed roles: admin, agent.
     */
    post: operations['reopenThread'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/guest-links': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Issue a guest link to one thread
     * @description The guest sees the thread’s external messages and may post to it until the link expires or is revoked.
     *
     *     Allowed roles: admin, agent.
     */
    post: operations['issueThreadGuestLink'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/assignments/{assignmentId}/guest-links': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Guest links issued for an assignment
     * @description Allowed roles: admin, agent.
     */
    get: operations['listAssignmentGuestLinks'];
    put?: never;
    /**
     * Issue a guest link to one assignment: its threads, and new queries on it
     * @description Allowed roles: admin, agent.
     */
    post: operations['issueAssignmentGuestLink'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/guest-links/{linkId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke a guest link; it stops working at once
     * @description Allowed roles: admin, agent.
     */
    delete: operations['revokeGuestLink'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/public/satisfaction/{token}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The satisfaction survey a link opens: what it asks about, the scale and the answer recorded
     * @description Changes nothing (mail scanners prefetch links): the rating page records an answer with PUT. An unknown or malformed token gets the same 404; every use is rate limited per address.
     *
     *     Public: no sign-in.
     */
    get: operations['getSatisfactionSurvey'];
    /**
     * Answer (or change the answer to) a satisfaction survey
     * @description Records SatisfactionRated on the thread, as its raiser. The same answer again changes nothing; an omitted comment keeps the one given before, an empty one clears it. After the expiry: 422 `survey_expired`.
     *
     *     Public: no sign-in.
     */
    put: operations['rateSatisfaction'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/satisfaction': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The thread's satisfaction surveys and their answers (staff)
     * @description Allowed roles: admin, agent, auditor.
     */
    get: operations['getThreadSatisfaction'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/config': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The system config, with its revision as ETag
     * @description Allowed roles: admin.
     */
    get: operations['getSystemConfig'];
    /**
     * Update the system config (WhatsApp number, support email, portal base URL, bubble, staff names in presence, team notifications, satisfaction survey)
     * @description Allowed roles: admin.
     */
    put: operations['updateSystemConfig'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/sla/config': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The business-hour calendars and service-level policies (policies in the order they are tried)
     * @description Allowed roles: admin, agent.
     */
    get: operations['getSlaConfig'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/sla/calendars/{calendarId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Create or change a business-hour calendar (each change is a new version)
     * @description Threads keep the calendar version they got; an admin re-applies the current policy to move them onto the new one.
     *
     *     Allowed roles: admin.
     */
    put: operations['saveSlaCalendar'];
    post?: never;
    /**
     * Remove a calendar no policy uses
     * @description Allowed roles: admin.
     */
    delete: operations['removeSlaCalendar'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/sla/policies/{policyId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Create or change a service-level policy (each change is a new version)
     * @description New threads get the first policy (by position) that matches their query type and organisation; threads raised before keep theirs until re-applied.
     *
     *     Allowed roles: admin.
     */
    put: operations['saveSlaPolicy'];
    post?: never;
    /**
     * Remove a service-level policy (threads that have it keep it)
     * @description Allowed roles: admin.
     */
    delete: operations['removeSlaPolicy'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}/sla/reapply': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Hold the thread to the policy that matches it today (recorded on its history)
     * @description Its clocks are recomputed from its whole history on the policy and calendar as they are now.
     *
     *     Allowed roles: admin.
     */
    post: operations['reapplyThreadSla'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/sla/reapply': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Re-apply today’s policies to every thread raised in a period (a changed calendar applied to the past)
     * @description Allowed roles: admin.
     */
    post: operations['reapplySlaToPeriod'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/host/assignments/{assignmentId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Create or update an assignment of the host platform
     * @description The host platform keeps the directory current: which partner organisation owns which assignment.
     *
     *     Allowed roles: host, admin.
     */
    put: operations['upsertAssignment'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/assignments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Assignments the caller may raise queries on
     * @description Partners see their organisation’s, guests with an assignment link that one (while it stays in the organisation the link was issued for), staff all.
     *
     *     Allowed roles: partner, guest, admin, agent, auditor, ops.
     */
    get: operations['listAssignments'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/assignments/{assignmentId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One assignment
     * @description Allowed roles: partner, guest, admin, agent, auditor, ops.
     */
    get: operations['getAssignment'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/inbox': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The support inbox: threads by last activity, filtered and searched, one page
     * @description Allowed roles: admin, agent, auditor, ops.
     */
    get: operations['listInbox'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/inbox/counts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * How many threads each status tab holds, under the same filters
     * @description Allowed roles: admin, agent, auditor, ops.
     */
    get: operations['countInbox'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/my/threads': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A partner's (or guest's) own threads, newest activity first
     * @description Partners see their organisation’s threads; a guest the thread of their link, or the threads of its assignment in the organisation the link was issued for. Never internal notes. Ordered and paged by the last activity the caller may see (`lastActivityAt`): an internal note or an assignment moves nothing here. Every filter applies to every caller.
     *
     *     Allowed roles: partner, guest.
     */
    get: operations['listMyThreads'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/threads/{threadId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One thread with its messages in order
     * @description Staff get every message (internal notes marked) and the guest links; partners and guests only external messages.
     *
     *     Allowed roles: admin, agent, auditor, ops, partner, guest.
     */
    get: operations['getThread'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/public/config': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * What the portal needs before sign-in: WhatsApp bubble, number, support email, portal base URL
     * @description Public: no sign-in.
     */
    get: operations['getPublicConfig'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/reports': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The reports page: response and resolution times, volumes and the backlog, under the filters
     * @description Times and volumes are over the threads raised in the period (`from` to `to`, default the last 30 days); the backlog counts, at each day’s end, every thread waiting to be resolved. Medians and p90 are interpolated (percentile_cont). Built from the reports projection.
     *
     *     Allowed roles: admin, agent.
     */
    get: operations['getReports'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/reports/{chart}.csv': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One chart of the reports page as CSV (same filters)
     * @description RFC 4180 with a header row and CRLF line ends. A cell that would start with = + - @ is prefixed with a quote (') so that a spreadsheet shows it as text.
     *
     *     Allowed roles: admin, agent.
     */
    get: operations['getReportCsv'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/support/staff': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Staff who may be assigned a thread (admins and agents, not disabled), by name, one page
     * @description Names only: no email or role. `q` finds names containing it (case-insensitive).
     *
     *     Allowed roles: admin, agent, auditor, ops.
     */
    get: operations['listAssignableStaff'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/projections': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Projections: live generation, position, lag, events per second, and any rebuild in progress
     * @description Allowed roles: ops, admin.
     */
    get: operations['listProjections'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/projections/{name}/rebuild': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Rebuild a projection blue/green: the live one keeps serving until the new one has caught up
     * @description Answers at once; follow the progress with GET /api/ops/projections.
     *
     *     Allowed roles: ops, admin.
     */
    post: operations['rebuildProjection'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/attachments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Files: storage used, scans pending, quarantined files
     * @description Allowed roles: ops, admin.
     */
    get: operations['getAttachmentFigures'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/client-logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Report an error seen in the web app
     * @description Rate limited (30 per minute per client address), at most 16 KiB, kept in a capped table. Credentials are ignored (the report acts for nobody), so a signed-in browser needs no X-CSRF-Token.
     *
     *     Public: no sign-in.
     */
    post: operations['reportClientError'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/audit/threads/{threadId}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * A thread’s full history: every event, the state as of any point, and its integrity verification
     * @description Read from the event log itself, not a read model. The state is replayed through the domain’s own code. The events are the thread’s own (`source: thread`, revisions of the thread) and the outcomes of emails about it (`source: email`, revisions of the thread’s email stream), in log order; `asOf` counts thread revisions only. Each stream is a hash chain of its own and is verified on its own.
     *
     *     Allowed roles: auditor, admin.
     */
    get: operations['getThreadHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/audit/threads/{threadId}/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Download a thread’s history as JSON or CSV
     * @description Allowed roles: auditor, admin.
     */
    get: operations['exportThreadHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/email/queue': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The email queue: counts per state and the latest emails
     * @description pending (not failed yet), retrying (failed, will retry), sent, failed (refused for good), dead-lettered (attempts exhausted).
     *
     *     Allowed roles: ops, admin.
     */
    get: operations['getEmailQueue'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/email/retry-failed': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send every failed and dead-lettered email again (attempts reset)
     * @description Allowed roles: ops, admin.
     */
    post: operations['retryFailedEmails'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/email/{id}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send a failed or dead-lettered email again (attempts reset)
     * @description The idempotency key stays: an email the provider did accept is not sent twice.
     *
     *     Allowed roles: ops, admin.
     */
    post: operations['retryEmail'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/mailbox': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The development mailbox: emails "delivered" locally, newest first
     * @description Exists only when no RESEND_API_KEY is set (404 otherwise).
     *
     *     Allowed roles: admin, ops.
     */
    get: operations['getDevMailbox'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/mailbox/{id}/reply': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Reply to a development mailbox email as its recipient would
     * @description The reply goes to the email's Reply-To (else its From), threaded with In-Reply-To and References and the original quoted below it, and is received as Resend's `email.received` would be: the inbound worker matches it (signature included) and posts it, holds it or ignores it. Exists only when no RESEND_API_KEY is set (404 otherwise).
     *
     *     Allowed roles: admin, ops.
     */
    post: operations['replyAsMailboxRecipient'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/webhooks/resend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Receive one of Resend's webhook deliveries
     * @description Signed by Resend (Svix headers) with RESEND_WEBHOOK_SECRET over the exact body; a timestamp more than 5 minutes from now is refused. Recorded once per `svix-id`, however often it is retried or replayed, and worked on later. At most 256 KiB, rate limited per client address (RESEND_WEBHOOK_RATE_LIMIT a minute). Credentials are ignored (the delivery acts for nobody). 404 while no signing secret is configured.
     *
     *     Public: no sign-in.
     */
    post: operations['receiveResendWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/email/suppressions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Addresses no mail goes to (a permanent bounce or a complaint)
     * @description The ones in force first, newest first; `includeCleared=true` also lists those an admin cleared.
     *
     *     Allowed roles: admin, ops.
     */
    get: operations['listEmailSuppressions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/email/suppressions/clear': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Email an address again after a bounce or a complaint
     * @description Recorded as an event with who cleared it and why. A bounce or complaint that happened before the clear (a late or replayed report) does not stop mail again; a new one does. 404 when mail to the address is not stopped.
     *
     *     Allowed roles: admin.
     */
    post: operations['clearEmailSuppression'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/inbound/held': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Held mail: received emails that became no message, open ones newest first
     * @description Allowed roles: admin, agent.
     */
    get: operations['listHeldMail'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/inbound/held/{heldId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One held mail with its text (plain text, never HTML)
     * @description Allowed roles: admin, agent.
     */
    get: operations['getHeldMail'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/inbound/held/{heldId}/assign': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Assign a held mail to a thread or an assignment
     * @description To a thread: posted as the sender’s message when the sender is a participant of that thread (a partner of its organisation, or a guest whose link to it works), otherwise as your internal note naming the sender. To an assignment: a query raised as the sender when the sender is a partner account of its organisation, otherwise 422. A closed thread takes nothing (422). Already assigned or discarded: 409.
     *
     *     Allowed roles: admin, agent.
     */
    post: operations['assignHeldMail'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/inbound/held/{heldId}/discard': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Discard a held mail, saying why
     * @description Allowed roles: admin, agent.
     */
    post: operations['discardHeldMail'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/inbound/dead': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Inbound email deliveries dead-lettered after their last attempt, latest first
     * @description Allowed roles: ops, admin.
     */
    get: operations['listDeadInbound'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/ops/inbound/dead/{svixId}/retry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Make a dead-lettered inbound delivery due again (attempts reset)
     * @description Allowed roles: ops, admin.
     */
    post: operations['retryDeadInbound'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description RFC 9457 problem details */
    Problem: {
      type: string;
      title: string;
      status: number;
      detail?: string;
      code?: string;
      errors?: {
        path: string;
        message: string;
      }[];
    };
    Account: {
      /** Format: uuid */
      id: string;
      email: string;
      name: string;
      /** @enum {string} */
      role: 'admin' | 'agent' | 'auditor' | 'ops' | 'partner';
      partnerOrgId: string | null;
    };
    Identity:
      | {
          /** @enum {string} */
          kind: 'staff';
          /** @enum {string} */
          role: 'admin' | 'agent' | 'auditor' | 'ops';
          accountId: string;
          name: string;
          email: string;
          /** @enum {string} */
          via: 'session' | 'jwt';
        }
      | {
          /** @enum {string} */
          kind: 'partner';
          /** @enum {string} */
          role: 'partner';
          accountId: string;
          partnerOrgId: string;
          name: string;
          email: string;
          /** @enum {string} */
          via: 'session' | 'jwt';
        }
      | {
          /** @enum {string} */
          kind: 'guest';
          /** @enum {string} */
          role: 'guest';
          linkId: string;
          scope:
            | {
                /** @enum {string} */
                kind: 'thread';
                threadId: string;
              }
            | {
                /** @enum {string} */
                kind: 'assignment';
                assignmentId: string;
                partnerOrgId: string;
              };
          recipientEmail?: string;
          expiresAt: string;
        }
      | {
          /** @enum {string} */
          kind: 'host';
          /** @enum {string} */
          role: 'host';
          subject: string;
        };
    AccountPreferences: {
      /** @description Emailed when a partner or guest writes in a thread assigned to me (reply to that email to answer them) */
      notifyOnPartnerMessages: boolean;
    };
    ThreadCommandAnswer: {
      /** Format: uuid */
      threadId: string;
      /**
       * @description The thread status after the command
       * @enum {string}
       */
      status: 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
      /** @description Stream revision after the command (also the ETag) */
      revision: number;
      /** @description Global log position of the change; pass it to reads to wait for it (read-your-writes) */
      position: string | null;
    };
    UploadedAttachment: {
      /** Format: uuid */
      attachmentId: string;
      /** @description Cleaned: no folders, no control characters, at most 200 characters */
      fileName: string;
      sizeBytes: number;
      /** @description Sniffed from the bytes; the name’s extension must fit it */
      mediaType: string;
      /** @description Where its uploader can fetch it back (GET) */
      url: string;
    };
    GuestLinkIssued: {
      /** @description The SHA-256 of the token: how the link is listed and revoked */
      linkId: string;
      /** @description The raw token. Shown only in this answer; a link with a recipient is also emailed to them, once (never stored: the email worker rebuilds it from the link secret) */
      token: string;
      /** @description The guest page link: <portal>/t/<token> */
      url: string;
      expiresAt: string;
      revision: number;
      position: string | null;
    };
    GuestLinkRevoked: {
      linkId: string;
      /** @enum {boolean} */
      revoked: true;
      revision: number;
      position: string | null;
    };
    SatisfactionSurveyPublic: {
      /** @description The thread the survey asks about */
      subject: string;
      /** @description Its assignment reference, e.g. A-1001 */
      reference: string;
      /** @enum {string} */
      scale: 'three' | 'five';
      /** @description The answers the scale takes, best first */
      ratings: (('good' | 'okay' | 'bad') | number)[];
      /** @description The answer recorded (the latest); null: none yet */
      rating: ('good' | 'okay' | 'bad') | number | null;
      comment: string | null;
      ratedAt: string | null;
      /** @description Answers (and changes to them) are taken until then */
      expiresAt: string;
      /** @description false once the survey has expired: the answer stays as it was */
      open: boolean;
    };
    SatisfactionRatedAnswer: {
      /** @description The thread the survey asks about */
      subject: string;
      /** @description Its assignment reference, e.g. A-1001 */
      reference: string;
      /** @enum {string} */
      scale: 'three' | 'five';
      /** @description The answers the scale takes, best first */
      ratings: (('good' | 'okay' | 'bad') | number)[];
      /** @description The answer recorded (the latest); null: none yet */
      rating: ('good' | 'okay' | 'bad') | number | null;
      comment: string | null;
      ratedAt: string | null;
      /** @description Answers (and changes to them) are taken until then */
      expiresAt: string;
      /** @description false once the survey has expired: the answer stays as it was */
      open: boolean;
      revision: number;
      position: string | null;
    };
    ThreadSatisfaction: {
      threadId: string;
      /** @description One per resolution that asked, the latest first */
      surveys: components['schemas']['SatisfactionSurvey'][];
    };
    SatisfactionSurvey: {
      surveyId: string;
      recipient: {
        /** @enum {string} */
        kind: 'partner' | 'guest';
        id: string;
        name: string;
      };
      /** @enum {string} */
      scale: 'three' | 'five';
      offeredAt: string;
      expiresAt: string;
      open: boolean;
      /** @description 'good', 'okay' or 'bad' on the three-point scale; 1 (worst) to 5 (best) on the five-point one */
      rating: ('good' | 'okay' | 'bad') | number | null;
      comment: string | null;
      ratedAt: string | null;
      /** @description How many times it was answered; the latest counts */
      answers: number;
    };
    SystemConfig: {
      whatsappNumber: string | null;
      supportEmail: string;
      portalBaseUrl: string;
      whatsappBubbleEnabled: boolean;
      /** @description Partners and guests see which agent is typing (their name, never an account id); false: "Support is typing…" */
      showStaffNamesInPresence: boolean;
      /** @description When a partner or guest writes in a thread nobody is assigned, the support address is emailed (an assigned thread emails its agent) */
      notifyTeamOfUnassigned: boolean;
      /** @description A resolution emails the partner or guest who raised the thread a satisfaction survey (a link, like a guest link) */
      satisfactionSurveyEnabled: boolean;
      /**
       * @description The survey's answers: 'three' (good, okay, bad) or 'five' (1 to 5)
       * @enum {string}
       */
      satisfactionScale: 'three' | 'five';
      /** @description How many days a survey link takes answers (and changes to them) */
      satisfactionLinkDays: number;
      revision: number;
      position: string | null;
    };
    SlaConfig: {
      calendars: components['schemas']['SlaCalendar'][];
      policies: components['schemas']['SlaPolicy'][];
      revision: number;
    };
    SlaCalendar: {
      calendarId: string;
      version: number;
      name: string;
      timeZone: string;
      alwaysOpen: boolean;
      week: {
        mon: {
          start: string;
          end: string;
        }[];
        tue: {
          start: string;
          end: string;
        }[];
        wed: {
          start: string;
          end: string;
        }[];
        thu: {
          start: string;
          end: string;
        }[];
        fri: {
          start: string;
          end: string;
        }[];
        sat: {
          start: string;
          end: string;
        }[];
        sun: {
          start: string;
          end: string;
        }[];
      };
      holidays: {
        date: string;
        name: string;
      }[];
      updatedAt: string;
      updatedBy: string;
    };
    SlaPolicy: {
      policyId: string;
      version: number;
      name: string;
      calendarId: string;
      position: number;
      match: {
        queryTypes: ('DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER')[];
        partnerOrgIds: string[];
      };
      targets: {
        LOW: {
          firstResponseMinutes: number | null;
          nextResponseMinutes: number | null;
          resolutionMinutes: number | null;
        };
        MEDIUM: {
          firstResponseMinutes: number | null;
          nextResponseMinutes: number | null;
          resolutionMinutes: number | null;
        };
        HIGH: {
          firstResponseMinutes: number | null;
          nextResponseMinutes: number | null;
          resolutionMinutes: number | null;
        };
        URGENT: {
          firstResponseMinutes: number | null;
          nextResponseMinutes: number | null;
          resolutionMinutes: number | null;
        };
      };
      warnBeforeMinutes: number;
      updatedAt: string;
      updatedBy: string;
    };
    Assignment: {
      assignmentId: string;
      reference: string;
      title: string;
      partnerOrgId: string;
      updatedAt: string;
    };
    StaffThreadSummary: {
      threadId: string;
      revision: number;
      /** @enum {string} */
      status: 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
      /** @enum {string} */
      priority: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
      /** @enum {string} */
      queryType: 'DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER';
      subject: string;
      partnerOrgId: string;
      assignmentId: string;
      assignmentReference: string;
      assigneeId: string | null;
      assigneeName: string | null;
      raisedBy: {
        /** @enum {string} */
        kind: 'staff' | 'partner' | 'guest' | 'system';
        id: string;
        name: string;
      };
      raisedAt: string;
      lastMessagePreview: string | null;
      lastMessageAt: string | null;
      /** @enum {string|null} */
      lastMessageByKind: 'staff' | 'partner' | 'guest' | 'system' | null;
      /**
       * @description 'internal' when the last message (the preview) is an internal note
       * @enum {string|null}
       */
      lastMessageVisibility: 'external' | 'internal' | null;
      messageCount: number;
      /**
       * @description Who the thread waits for: 'staff', 'partner' or null
       * @enum {string|null}
       */
      awaiting: 'staff' | 'partner' | null;
      firstResponseAt: string | null;
      resolvedAt: string | null;
      closedAt: string | null;
      lastActivityAt: string;
      firstResponseSeconds: number | null;
      resolutionSeconds: number | null;
      /** @description The service-level clock the row shows (null: no policy applies or every clock is done). In inbox pages and thread reads; live pushes of a thread leave it out, and an `sla` frame carries it when the clocks change. */
      sla?: {
        /** @enum {string} */
        metric: 'firstResponse' | 'nextResponse' | 'resolution';
        cycle: number;
        /** @enum {string} */
        state: 'running' | 'paused' | 'breached' | 'met' | 'missed';
        dueAt: string | null;
        warnAt: string | null;
        remainingSeconds: number;
        targetSeconds: number;
      } | null;
    };
    PartnerThreadSummary: {
      threadId: string;
      /** @enum {string} */
      status: 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
      /** @enum {string} */
      priority: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
      /** @enum {string} */
      queryType: 'DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER';
      subject: string;
      assignmentId: string;
      assignmentReference: string;
      raisedAt: string;
      lastMessagePreview: string | null;
      lastMessageAt: string | null;
      /** @enum {string|null} */
      lastMessageByKind: 'staff' | 'partner' | 'guest' | 'system' | null;
      messageCount: number;
      awaitingYou: boolean;
      /** @description The last activity partners and guests may see: the raise, external messages, status and priority changes (never an internal note or an assignment) */
      lastActivityAt: string;
    };
    Attachment: {
      attachmentId: string;
      fileName: string;
      sizeBytes: number;
      /** @description Sniffed from the bytes when it was uploaded */
      mediaType: string;
      /**
       * @description pending: not scanned yet (served to its uploader only); clean; infected (quarantined, never served); not_scanned (no virus scanner is configured: served); unscannable (the scanner could not scan it: not served)
       * @enum {string}
       */
      scan: 'pending' | 'clean' | 'infected' | 'not_scanned' | 'unscannable';
      /** @description An admin erased its bytes; the reason is shown to staff only */
      erased: {
        at: string;
        by: string;
        reason: string | null;
      } | null;
      /** @description Download (Content-Disposition: attachment); null once erased */
      url: string | null;
      /** @description Shown inline (images and PDF only), when served at all */
      previewUrl: string | null;
      /** @description A scaled-down WebP of an image, once it exists */
      thumbnailUrl: string | null;
      /** @description An inline image of a received email (its HTML shows it in place) */
      inline: boolean;
    };
    GuestLink: {
      linkId: string;
      /** @enum {string} */
      scope: 'thread' | 'assignment';
      threadId: string | null;
      assignmentId: string | null;
      recipientEmail: string | null;
      issuedAt: string;
      expiresAt: string;
      issuedBy: string;
      revokedAt: string | null;
      /** @enum {string} */
      state: 'active' | 'expired' | 'revoked';
    };
    SlaTarget: {
      /** @enum {string} */
      metric: 'firstResponse' | 'nextResponse' | 'resolution';
      cycle: number;
      targetSeconds: number;
      /** @enum {string} */
      state: 'running' | 'paused' | 'breached' | 'met' | 'missed';
      dueAt: string | null;
      warnAt: string | null;
      /** @description Business seconds left at asOf (negative once past due) */
      remainingSeconds: number;
      elapsedSeconds: number;
      startedAt: string;
      completedAt: string | null;
      warned: boolean;
      breachedAt: string | null;
    };
    LinkedThread: {
      threadId: string;
      subject: string;
      /** @enum {string} */
      status: 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
    };
    PublicConfig: {
      whatsappNumber: string | null;
      whatsappBubbleEnabled: boolean;
      supportEmail: string;
      /** @description Where links in emails and guest links start (staff pages warn when it is not their origin) */
      portalBaseUrl: string;
      /** @description What files the desk takes */
      attachments: {
        maxBytes: number;
        maxFiles: number;
        /** @description The media types taken (sniffed from the bytes) */
        mediaTypes: string[];
        /** @description Whether files are scanned for viruses (false: no scanner configured) */
        scanned: boolean;
      };
    };
    Report: {
      period: {
        from: string;
        to: string;
        timeZone: string;
      };
      summary: {
        /** @description Threads raised in the period (under the filters) */
        threads: number;
        /** @description Wall-clock time from the raise to the first reply to the partner */
        firstResponse: {
          /** @description Threads the figure is taken over */
          count: number;
          medianSeconds: number | null;
          /** @description 9 in 10 threads took at most this long */
          p90Seconds: number | null;
        };
        /** @description Wall-clock time from the raise to the first resolution (or closing, if closed unresolved) */
        resolution: {
          /** @description Threads the figure is taken over */
          count: number;
          medianSeconds: number | null;
          /** @description 9 in 10 threads took at most this long */
          p90Seconds: number | null;
        };
        /** @description Business time (open hours of the policy’s calendar, not while waiting on the partner) to the first reply, over the threads a service level applied to */
        firstResponseBusiness: {
          /** @description Threads the figure is taken over */
          count: number;
          medianSeconds: number | null;
          /** @description 9 in 10 threads took at most this long */
          p90Seconds: number | null;
        };
        /** @description Business time the resolution clock ran, to the last resolution, over the threads a service level applied to */
        resolutionBusiness: {
          /** @description Threads the figure is taken over */
          count: number;
          medianSeconds: number | null;
          /** @description 9 in 10 threads took at most this long */
          p90Seconds: number | null;
        };
        /** @description Service-level warnings recorded on these threads */
        slaWarnings: number;
        /** @description Service-level breaches recorded on these threads */
        slaBreaches: number;
      };
      firstResponseTimes: {
        key: string;
        label: string;
        fromSeconds: number;
        toSeconds: number | null;
        threads: number;
      }[];
      resolutionTimes: {
        key: string;
        label: string;
        fromSeconds: number;
        toSeconds: number | null;
        threads: number;
      }[];
      volumeByQueryType: {
        queryType: string;
        threads: number;
      }[];
      volumeByOrganisation: {
        partnerOrgId: string;
        threads: number;
      }[];
      volumeByPriority: {
        priority: string;
        threads: number;
      }[];
      volumeByAgent: {
        assigneeId: string | null;
        assigneeName: string | null;
        threads: number;
      }[];
      /** @description Per target, over the threads raised in the period that a service level applied to */
      slaCompliance: {
        /** @enum {string} */
        metric: 'firstResponse' | 'nextResponse' | 'resolution';
        /** @description A priority (today’s), or ALL */
        priority: string;
        /** @description Done within the target */
        met: number;
        /** @description Done late */
        missed: number;
        /** @description Not done and already past the target */
        breached: number;
        /** @description Not done and still within the target */
        open: number;
        /** @description met / (met + missed + breached) */
        compliance: number | null;
      }[];
      /** @description What partners said in the satisfaction survey, over the threads raised in the period */
      satisfaction: {
        /** @description Satisfaction surveys offered on these threads */
        offered: number;
        /** @description Threads rated (the latest answer counts) */
        rated: number;
        good: number;
        okay: number;
        bad: number;
        /** @description good ÷ (good + okay + bad) */
        goodShare: number | null;
        /** @description How many rated 1, 2, 3, 4 and 5 */
        fivePoint: number[];
        /** @description The mean of the 1 to 5 ratings */
        meanScore: number | null;
        /** @description The latest 10 comments, newest first */
        comments: {
          threadId: string;
          rating: string;
          comment: string;
          ratedAt: string;
        }[];
      };
      /** @description Every thread waiting at each day’s end, whenever raised (the period’s days) */
      backlog: {
        day: string;
        /** @description Threads waiting to be resolved at the end of the day */
        open: number;
        /** @description Raised or reopened that day */
        opened: number;
        /** @description Resolved or closed that day */
        closed: number;
      }[];
    };
    AssignableStaff: {
      /** @description The account id, as assignThread takes it */
      id: string;
      name: string;
    };
    ProjectionStatus: {
      name: string;
      codeVersion: number;
      live: {
        generation: number;
        codeVersion: number;
        status: string;
        position: string;
        eventsProcessed: number;
        /** @description A rebuild’s total: the events in the log up to the head it started from (null: not counted) */
        eventsTotal: number | null;
        /** @description Events processed per second over the last minute (or since the generation began); 0 when idle */
        eventsPerSecond: number;
        /** @description 0..1; a rebuild shows it from its first batch on */
        progress: number;
        /** @description Seconds until a rebuild has caught up; null before its first batch */
        etaSeconds: number | null;
        lastError: string | null;
        startedAt: string;
        liveAt: string | null;
        updatedAt: string;
      } | null;
      building: {
        generation: number;
        codeVersion: number;
        status: string;
        position: string;
        eventsProcessed: number;
        /** @description A rebuild’s total: the events in the log up to the head it started from (null: not counted) */
        eventsTotal: number | null;
        /** @description Events processed per second over the last minute (or since the generation began); 0 when idle */
        eventsPerSecond: number;
        /** @description 0..1; a rebuild shows it from its first batch on */
        progress: number;
        /** @description Seconds until a rebuild has caught up; null before its first batch */
        etaSeconds: number | null;
        lastError: string | null;
        startedAt: string;
        liveAt: string | null;
        updatedAt: string;
      } | null;
      lagEvents: number | null;
      lagCapped: boolean;
    };
    AttachmentFigures: {
      files: number;
      /** @description Uploaded, on no message yet (removed after a day) */
      stagedFiles: number;
      /** @description Distinct contents stored (the same file twice is stored once) */
      blobs: number;
      storedBytes: number;
      pendingScan: number;
      oldestPendingSeconds: number | null;
      infected: number;
      unscannable: number;
      notScanned: number;
      /** @description The configured virus scanner, or null (files are not scanned) */
      scanner: string | null;
      quarantined: {
        attachmentId: string;
        fileName: string;
        mediaType: string;
        sizeBytes: number;
        threadId: string | null;
        uploadedAt: string;
        uploaderKind: string;
        /** @enum {string} */
        status: 'infected' | 'unscannable';
        /** @description The signature found, or why it could not be scanned */
        detail: string | null;
        scannedAt: string | null;
      }[];
    };
    ThreadHistory: {
      threadId: string;
      events: {
        /**
         * @description thread: an event of the thread itself; email: an outcome of an email about it
         * @enum {string}
         */
        source: 'thread' | 'email';
        /** @description The event’s own stream: `thread-…` or `threadEmail-…` */
        stream: string;
        /** @description The event’s revision in its own stream */
        revision: number;
        /** @description The thread revision the event belongs to: its own for a thread event; for an email outcome, the thread’s last revision before it in the log (-1 when none) */
        threadRevision: number;
        position: string;
        type: string;
        occurredAt: string;
        recordedAt: string;
        actor: {
          type: string;
          id: string;
        } | null;
        data: {
          [key: string]: unknown;
        };
        hash: string | null;
      }[];
      stateAsOf: {
        revision: number;
        at: string | null;
        state: {
          [key: string]: unknown;
        };
      };
      verification: {
        ok: boolean;
        checked: number;
        /** @description The first stream whose chain is broken; firstBrokenRevision is in that stream */
        firstBrokenStream: string | null;
        firstBrokenRevision: number | null;
        reason: string | null;
        /** @description Each stream’s own chain: the thread’s, and its email outcomes’ when there are any */
        streams: {
          streamName: string;
          ok: boolean;
          checked: number;
          sealsChecked: number;
          firstBrokenRevision: number | null;
          reason: string | null;
        }[];
      };
    };
    EmailQueue: {
      /** @enum {string} */
      delivery: 'resend' | 'dev_mailbox';
      stats: {
        pending: number;
        retrying: number;
        sent: number;
        /** @description Refused for good by the provider (not retried) */
        failed: number;
        /** @description Every attempt failed */
        deadLettered: number;
      };
      emails: {
        /** @description The outbox id, also the idempotency key sent to the provider */
        id: string;
        /** @description The thread it is about; null for the email handing out an assignment's guest link */
        threadId: string | null;
        /** @description The guest link it carries (its id), if any */
        guestLinkId: string | null;
        messageId: string | null;
        template: string;
        recipient: string;
        subject: string;
        /** @enum {string} */
        status: 'pending' | 'retrying' | 'sending' | 'sent' | 'failed' | 'dead';
        attempts: number;
        nextAttemptAt: string | null;
        lastError: string | null;
        lastErrorName: string | null;
        providerId: string | null;
        claimedBy: string | null;
        createdAt: string;
        updatedAt: string;
        sentAt: string | null;
        /** @description What Resend reported after taking the email (its webhooks); null: nothing yet */
        delivery: {
          /** @enum {string} */
          state: 'sent' | 'delayed' | 'delivered' | 'bounced' | 'complained';
          /** @description A bounce's sub-type and message */
          reason: string | null;
          /** @description When Resend says it happened */
          at: string;
        } | null;
      }[];
    };
    DevMailbox: {
      emails: {
        id: string;
        emailId: string;
        from: string;
        to: string;
        subject: string;
        html: string;
        text: string;
        headers: {
          [key: string]: string;
        };
        deliveredAt: string;
      }[];
    };
    /** @description One of Resend's webhook events, as it signed it */
    ResendWebhookEvent: {
      /**
       * @description What happened: `email.received`, `email.sent`, `email.delivered`, `email.bounced`, …
       * @example email.received
       */
      type: string;
      /** @description When Resend created the event (ISO 8601) */
      created_at: string;
      /** @description The event, as Resend documents it per type */
      data: {
        [key: string]: unknown;
      };
    } & {
      [key: string]: unknown;
    };
    EmailSuppressions: {
      items: components['schemas']['EmailSuppression'][];
    };
    EmailSuppression: {
      address: string;
      /** @description Mail to it is stopped now */
      active: boolean;
      /**
       * @description bounced (permanently) or complained
       * @enum {string|null}
       */
      reason: 'bounced' | 'complained' | null;
      /** @description The email whose bounce or complaint it was */
      emailId: string | null;
      since: string | null;
      clearedAt: string | null;
      clearedBy: string | null;
      clearedReason: string | null;
    };
    HeldMail: {
      /** @description The held mail id: the SHA-256 of its Message-ID */
      id: string;
      messageId: string;
      /** @description Why it was held (a hold reason code) */
      reason: string;
      /** @description Why it was held, in plain words */
      reasonText: string;
      sender: string;
      subject: string;
      receivedAt: string;
      heldAt: string;
      /** @description The start of its visible reply, on one line */
      snippet: string;
      /** @description The thread it named or matched, if any */
      threadId: string | null;
      threadSubject: string | null;
      assignmentId: string | null;
      assignmentReference: string | null;
    };
    HeldMailDetail: {
      /** @description The held mail id: the SHA-256 of its Message-ID */
      id: string;
      messageId: string;
      /** @description Why it was held (a hold reason code) */
      reason: string;
      /** @description Why it was held, in plain words */
      reasonText: string;
      sender: string;
      subject: string;
      receivedAt: string;
      heldAt: string;
      /** @description The start of its visible reply, on one line */
      snippet: string;
      /** @description The thread it named or matched, if any */
      threadId: string | null;
      threadSubject: string | null;
      assignmentId: string | null;
      assignmentReference: string | null;
      to: string[];
      cc: string[];
      /** @description The visible reply, as plain text (never HTML) */
      reply: string;
      /** @description The whole text, quoted history included, as plain text */
      fullText: string;
      sha256: string;
      resolvedAt: string | null;
      resolvedBy: string | null;
      /** @enum {string|null} */
      resolution: 'assigned' | 'discarded' | null;
      /** @enum {string|null} */
      resolvedAs: 'participant_message' | 'internal_note' | 'query_raised' | null;
      resolvedThreadId: string | null;
      discardReason: string | null;
    };
    HeldMailResolved: {
      id: string;
      /** @enum {string} */
      resolution: 'assigned' | 'discarded';
      /** @enum {string|null} */
      resolvedAs: 'participant_message' | 'internal_note' | 'query_raised' | null;
      threadId: string | null;
      /** @description Where the log was after it: pass as waitFor to read it */
      position: string | null;
    };
    DeadInboundDelivery: {
      svixId: string;
      type: string;
      attempts: number;
      lastError: string | null;
      receivedAt: string;
      deadAt: string;
      /** @description Resend's id of the received email, if the delivery names one */
      emailId: string | null;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  signIn: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          email: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description Signed in */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            account: components['schemas']['Account'];
            csrfToken: string;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  signOut: {
    parameters: {
      query?: never;
      header?: {
        /** @description The value of the sd_csrf cookie (browser sessions) */
        'X-CSRF-Token'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Signed out */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getCurrentIdentity: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The identity */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            identity: components['schemas']['Identity'];
          };
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getMyPreferences: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description My preferences (the defaults until I save any) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AccountPreferences'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateMyPreferences: {
    parameters: {
      query?: never;
      header?: {
        /** @description The value of the sd_csrf cookie (browser sessions) */
        'X-CSRF-Token'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AccountPreferences'];
      };
    };
    responses: {
      /** @description My preferences as saved */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AccountPreferences'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  raiseQuery: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          assignmentId: string;
          /** @enum {string} */
          queryType: 'DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER';
          /**
           * @default MEDIUM
           * @enum {string}
           */
          priority?: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
          subject: string;
          body: string;
          attachmentIds?: string[];
        };
      };
    };
    responses: {
      /** @description The thread was opened */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  postMessage: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          body: string;
          /**
           * @default external
           * @enum {string}
           */
          visibility?: 'external' | 'internal';
          attachmentIds?: string[];
        };
      };
    };
    responses: {
      /** @description The message was posted */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  uploadAttachments: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'multipart/form-data': {
          /** @description The files (each part named file) */
          file: string[];
        };
      };
    };
    responses: {
      /** @description The files were stored, staged for a message */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            attachments: components['schemas']['UploadedAttachment'][];
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not JSON */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  downloadAttachment: {
    parameters: {
      query?: {
        /** @description inline: shown in the browser (images and PDF only; anything else is always attachment) */
        disposition?: 'attachment' | 'inline';
      };
      header?: never;
      path: {
        attachmentId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The file */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/octet-stream': string;
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Error */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  attachmentThumbnail: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        attachmentId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The thumbnail */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'image/webp': string;
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Error */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  signedAttachment: {
    parameters: {
      query: {
        /** @description inline: shown in the browser (images and PDF only; anything else is always attachment) */
        disposition?: 'attachment' | 'inline';
        /** @description Unix seconds */
        expires?: number | null;
        signature: string;
      };
      header?: never;
      path: {
        attachmentId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The file */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/octet-stream': string;
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Error */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  eraseAttachment: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        threadId: string;
        attachmentId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason: string;
        };
      };
    };
    responses: {
      /** @description The file is erased */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  assignThread: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          assigneeId: string | null;
          assigneeName?: string | null;
        };
      };
    };
    responses: {
      /** @description Assigned (no change when already so) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  changePriority: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          priority: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
        };
      };
    };
    responses: {
      /** @description Changed (no change when already so) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  resolveThread: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The new status */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  closeThread: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The new status */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  reopenThread: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The new status */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  issueThreadGuestLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          recipientEmail?: string | null;
          /** @default 604800 */
          lifetimeSeconds?: number;
        };
      };
    };
    responses: {
      /** @description The link, with its token shown this once */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['GuestLinkIssued'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAssignmentGuestLinks: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        assignmentId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Newest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['GuestLink'][];
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  issueAssignmentGuestLink: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        assignmentId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          recipientEmail?: string | null;
          /** @default 604800 */
          lifetimeSeconds?: number;
        };
      };
    };
    responses: {
      /** @description The link, with its token shown this once */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['GuestLinkIssued'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  revokeGuestLink: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
      };
      path: {
        linkId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Revoked (also when it already was) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['GuestLinkRevoked'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSatisfactionSurvey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The token of the survey link (`<portal>/rate/<token>`) */
        token: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The survey */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SatisfactionSurveyPublic'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  rateSatisfaction: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The token of the survey link (`<portal>/rate/<token>`) */
        token: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          rating: ('good' | 'okay' | 'bad') | number;
          comment?: string | null;
        };
      };
    };
    responses: {
      /** @description The survey with the answer recorded */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SatisfactionRatedAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getThreadSatisfaction: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The surveys, the latest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadSatisfaction'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSystemConfig: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The current config */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SystemConfig'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateSystemConfig: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          whatsappNumber: string | null;
          supportEmail: string;
          portalBaseUrl: string;
          whatsappBubbleEnabled: boolean;
          showStaffNamesInPresence?: boolean;
          notifyTeamOfUnassigned?: boolean;
          satisfactionSurveyEnabled?: boolean;
          /** @enum {string} */
          satisfactionScale?: 'three' | 'five';
          satisfactionLinkDays?: number;
        };
      };
    };
    responses: {
      /** @description The config after the update */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SystemConfig'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getSlaConfig: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Calendars and policies, with the stream revision as ETag */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SlaConfig'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  saveSlaCalendar: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        calendarId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          timeZone: string;
          alwaysOpen: boolean;
          week: {
            mon: {
              start: string;
              end: string;
            }[];
            tue: {
              start: string;
              end: string;
            }[];
            wed: {
              start: string;
              end: string;
            }[];
            thu: {
              start: string;
              end: string;
            }[];
            fri: {
              start: string;
              end: string;
            }[];
            sat: {
              start: string;
              end: string;
            }[];
            sun: {
              start: string;
              end: string;
            }[];
          };
          holidays: {
            date: string;
            name: string;
          }[];
        };
      };
    };
    responses: {
      /** @description The calendar as saved */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            calendar: components['schemas']['SlaCalendar'];
            revision: number;
            position: string | null;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  removeSlaCalendar: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        calendarId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            removed: string;
            revision: number;
            position: string | null;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  saveSlaPolicy: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        policyId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
          /** Format: uuid */
          calendarId: string;
          position: number;
          match: {
            queryTypes: ('DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER')[];
            partnerOrgIds: string[];
          };
          targets: {
            LOW: {
              firstResponseMinutes: number | null;
              nextResponseMinutes: number | null;
              resolutionMinutes: number | null;
            };
            MEDIUM: {
              firstResponseMinutes: number | null;
              nextResponseMinutes: number | null;
              resolutionMinutes: number | null;
            };
            HIGH: {
              firstResponseMinutes: number | null;
              nextResponseMinutes: number | null;
              resolutionMinutes: number | null;
            };
            URGENT: {
              firstResponseMinutes: number | null;
              nextResponseMinutes: number | null;
              resolutionMinutes: number | null;
            };
          };
          warnBeforeMinutes: number;
        };
      };
    };
    responses: {
      /** @description The policy as saved */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            policy: components['schemas']['SlaPolicy'];
            revision: number;
            position: string | null;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  removeSlaPolicy: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        policyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            removed: string;
            revision: number;
            position: string | null;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  reapplyThreadSla: {
    parameters: {
      query?: never;
      header?: {
        /** @description Retries with the same key answer the first result and append nothing. */
        'Idempotency-Key'?: string;
        /** @description The ETag (stream revision) you saw; the command is refused with 412 if it moved. */
        'If-Match'?: string;
      };
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Re-applied (no change when it already has that version) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadCommandAnswer'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not match the current revision */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  reapplySlaToPeriod: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: date-time */
          raisedFrom: string;
          /** Format: date-time */
          raisedTo: string;
        };
      };
    };
    responses: {
      /** @description How many threads were looked at and how many changed policy or version; `next`, when not null: more threads remain, send again with it as `raisedFrom` */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            threads: number;
            changed: number;
            next: string | null;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  upsertAssignment: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        assignmentId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reference: string;
          title: string;
          partnerOrgId: string;
        };
      };
    };
    responses: {
      /** @description The assignment as stored */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Assignment'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAssignments: {
    parameters: {
      query?: {
        after?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page, by id */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['Assignment'][];
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getAssignment: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        assignmentId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The assignment */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Assignment'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listInbox: {
    parameters: {
      query?: {
        status?: 'ALL' | 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
        priority?: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
        queryType?: 'DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER';
        /** @description An account id, 'me', or 'none' for unassigned */
        assigneeId?: string;
        partnerOrgId?: string;
        assignmentId?: string;
        awaiting?: 'staff' | 'partner';
        /** @description Full-text search over subjects and messages */
        q?: string;
        /** @description 'due': only threads with a running service-level clock, soonest due (most overdue) first */
        sla?: 'due';
        cursor?: string;
        limit?: number;
        /** @description A position from a command answer: wait (up to 5 s) until this read reflects it */
        waitFor?: string;
      };
      header?: {
        /** @description Same as the waitFor query parameter */
        'X-Wait-For-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page; pass nextCursor for the next */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['StaffThreadSummary'][];
            nextCursor: string | null;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  countInbox: {
    parameters: {
      query?: {
        priority?: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
        queryType?: 'DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER';
        /** @description An account id, 'me', or 'none' for unassigned */
        assigneeId?: string;
        partnerOrgId?: string;
        assignmentId?: string;
        awaiting?: 'staff' | 'partner';
        /** @description Full-text search over subjects and messages */
        q?: string;
        /** @description 'due': only threads with a running service-level clock, soonest due (most overdue) first */
        sla?: 'due';
        /** @description A position from a command answer: wait (up to 5 s) until this read reflects it */
        waitFor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Counts per status and in all */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            ALL: number;
            OPEN: number;
            PENDING: number;
            RESOLVED: number;
            CLOSED: number;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listMyThreads: {
    parameters: {
      query?: {
        status?: 'ALL' | 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
        assignmentId?: string;
        q?: string;
        cursor?: string;
        limit?: number;
        /** @description A position from a command answer: wait (up to 5 s) until this read reflects it */
        waitFor?: string;
      };
      header?: {
        /** @description Same as the waitFor query parameter */
        'X-Wait-For-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['PartnerThreadSummary'][];
            nextCursor: string | null;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getThread: {
    parameters: {
      query?: {
        /** @description A position from a command answer: wait (up to 5 s) until this read reflects it */
        waitFor?: string;
      };
      header?: {
        /** @description Same as the waitFor query parameter */
        'X-Wait-For-Position'?: string;
      };
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The thread */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            thread: components['schemas']['StaffThreadSummary'] | components['schemas']['PartnerThreadSummary'];
            messages: {
              messageId: string;
              revision: number;
              author: {
                /** @enum {string} */
                kind: 'staff' | 'partner' | 'guest' | 'system';
                id: string;
                name: string;
              };
              /** @enum {string} */
              visibility: 'external' | 'internal';
              body: string;
              /**
               * @description Written in the app, or a reply by email
               * @enum {string}
               */
              via: 'web' | 'email';
              /** @description A reply by email: its whole text, quoted history and signature included ("show quoted"), when that is more than the body; never HTML */
              fullText: string | null;
              createdAt: string;
              /** @description The files the message carries, in their order */
              attachments: components['schemas']['Attachment'][];
              /** @description Staff only: the delivery outcome of each email this message caused */
              emails?: {
                /** @description The outbox id of the email */
                emailId: string;
                recipient: string;
                /** @enum {string} */
                template:
                  | 'query_raised_support'
                  | 'query_raised_ack'
                  | 'staff_reply'
                  | 'thread_resolved'
                  | 'guest_link_issued'
                  | 'partner_wrote'
                  | 'sla_alert'
                  | 'satisfaction_survey';
                /** @description accepted (the provider took it), sent, delayed, delivered, bounced, complained (as the provider reported: the strongest so far), failed, dead_lettered, suppressed (not sent: mail to the address is stopped) */
                status: string;
                attempts: number;
                lastError: string | null;
                at: string;
              }[];
            }[];
            guestLinks?: components['schemas']['GuestLink'][];
            /** @description Staff only: the service-level policy the thread is held to and each target, as of asOf */
            sla?: {
              policy: {
                policyId: string;
                version: number;
                name: string;
              };
              calendar: {
                calendarId: string;
                version: number;
                name: string;
                timeZone: string;
                alwaysOpen: boolean;
              };
              appliedAt: string;
              /** @enum {string} */
              appliedReason: 'raised' | 'reapplied';
              asOf: string;
              targets: components['schemas']['SlaTarget'][];
            } | null;
            /** @description Staff only: the thread's recipients no mail goes to (a permanent bounce or a complaint) */
            suppressedRecipients?: {
              address: string;
              /** @enum {string} */
              reason: 'bounced' | 'complained';
              since: string;
            }[];
            /** @description The closed thread this one continues (a reply by email to it opened this one), if the caller may read it */
            followUpOf: {
              threadId: string;
              subject: string;
              /** @enum {string} */
              status: 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
            } | null;
            /** @description The follow-ups that continue this (closed) thread, oldest first, that the caller may read */
            continuedIn: components['schemas']['LinkedThread'][];
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getPublicConfig: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The public part of the system config */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PublicConfig'];
        };
      };
    };
  };
  getReports: {
    parameters: {
      query?: {
        /** @description Threads raised at or after this time (default: 30 days before `to`) */
        from?: string;
        /** @description Threads raised before this time (default: now) */
        to?: string;
        partnerOrgId?: string;
        queryType?: 'DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER';
        /** @description An account id, 'me', or 'none' for threads nobody is assigned */
        assigneeId?: string;
        /** @description The zone the backlog’s days are counted in (default UTC) */
        timeZone?: string;
        /** @description A position from a command answer: wait (up to 5 s) until the report reflects it */
        waitFor?: string;
      };
      header?: {
        /** @description Same as the waitFor query parameter */
        'X-Wait-For-Position'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every dataset of the page */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Report'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getReportCsv: {
    parameters: {
      query?: {
        /** @description Threads raised at or after this time (default: 30 days before `to`) */
        from?: string;
        /** @description Threads raised before this time (default: now) */
        to?: string;
        partnerOrgId?: string;
        queryType?: 'DOCUMENTS' | 'PAYMENT' | 'SCHEDULING' | 'TECHNICAL' | 'ACCESS' | 'OTHER';
        /** @description An account id, 'me', or 'none' for threads nobody is assigned */
        assigneeId?: string;
        /** @description The zone the backlog’s days are counted in (default UTC) */
        timeZone?: string;
        /** @description A position from a command answer: wait (up to 5 s) until the report reflects it */
        waitFor?: string;
      };
      header?: never;
      path: {
        chart:
          | 'first-response-times'
          | 'resolution-times'
          | 'volume-by-query-type'
          | 'volume-by-organisation'
          | 'volume-by-priority'
          | 'volume-by-agent'
          | 'sla-compliance'
          | 'satisfaction'
          | 'satisfaction-comments'
          | 'backlog';
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The chart’s rows */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAssignableStaff: {
    parameters: {
      query?: {
        /** @description Part of a name */
        q?: string;
        /** @description nextCursor of the previous page */
        cursor?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page; pass nextCursor for the next */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['AssignableStaff'][];
            nextCursor: string | null;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listProjections: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every projection */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: components['schemas']['ProjectionStatus'][];
          };
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  rebuildProjection: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Started */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            projection: string;
            /** @enum {boolean} */
            started: true;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getAttachmentFigures: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The figures */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AttachmentFigures'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  reportClientError: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * @default error
           * @enum {string}
           */
          level?: 'error' | 'warn' | 'info';
          message: string;
          stack?: string;
          url?: string;
          userAgent?: string;
          context?: {
            [key: string]: string | number | boolean | null;
          };
        };
      };
    };
    responses: {
      /** @description Recorded */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {boolean} */
            recorded: true;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getThreadHistory: {
    parameters: {
      query?: {
        /** @description A revision, or an ISO time */
        asOf?: string;
      };
      header?: never;
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The history */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ThreadHistory'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  exportThreadHistory: {
    parameters: {
      query?: {
        format?: 'json' | 'csv';
      };
      header?: never;
      path: {
        threadId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The file */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': unknown;
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getEmailQueue: {
    parameters: {
      query?: {
        status?: 'pending' | 'retrying' | 'sending' | 'sent' | 'failed' | 'dead';
        threadId?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Counts and the latest emails */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EmailQueue'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  retryFailedEmails: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description How many emails are due again */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            retried: number;
          };
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  retryEmail: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The email is due again */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {boolean} */
            retried: true;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getDevMailbox: {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The latest emails */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DevMailbox'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  replyAsMailboxRecipient: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          text: string;
        };
      };
    };
    responses: {
      /** @description Received: the inbound worker takes it from here */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            emailId: string;
            deliveryId: string;
            from: string;
            to: string;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  receiveResendWebhook: {
    parameters: {
      query?: never;
      header: {
        /** @description The delivery id: the same for every retry and replay */
        'svix-id': string;
        /** @description When it was signed (seconds since 1970) */
        'svix-timestamp': string;
        /** @description `v1,<base64 HMAC-SHA256>` (several, space-separated) */
        'svix-signature': string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ResendWebhookEvent'];
      };
    };
    responses: {
      /** @description Recorded; `duplicate` when this delivery had already been recorded */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {boolean} */
            received: true;
            duplicate: boolean;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Rate limited (see Retry-After) */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listEmailSuppressions: {
    parameters: {
      query?: {
        includeCleared?: 'true' | 'false';
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The suppressed addresses */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EmailSuppressions'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  clearEmailSuppression: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /**
           * Format: email
           * @example pat@acme.test
           */
          address: string;
          /** @example Mailbox fixed, confirmed by phone */
          reason: string;
        };
      };
    };
    responses: {
      /** @description Cleared: mail goes to the address again */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {boolean} */
            cleared: true;
            address: string;
            position: string;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listHeldMail: {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description How many are open, and the newest */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            open: number;
            items: components['schemas']['HeldMail'][];
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getHeldMail: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        heldId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The held mail */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HeldMailDetail'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  assignHeldMail: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        heldId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: uuid */
          threadId?: string;
          assignmentId?: string;
        };
      };
    };
    responses: {
      /** @description Assigned */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HeldMailResolved'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description A rule of the domain refuses it */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  discardHeldMail: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        heldId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          reason: string;
        };
      };
    };
    responses: {
      /** @description Discarded */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HeldMailResolved'];
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listDeadInbound: {
    parameters: {
      query?: {
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description How many are dead-lettered, and the latest */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            dead: number;
            items: components['schemas']['DeadInboundDelivery'][];
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  retryDeadInbound: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        svixId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Due again: the inbound worker takes it on its next round */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {boolean} */
            retried: true;
          };
        };
      };
      /** @description Invalid input; `errors` names the failing fields */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description No identity */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The identity may not call this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflict with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
}
