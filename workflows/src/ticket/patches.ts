/**
 * The ticket workflow's live patches (`patched()`), each with the day it shipped and when it can
 * be retired. A patch is retired in two releases: first `deprecatePatch(ID)` in place of
 * `patched(ID)`, with the old branch deleted, once no run started before the patch is still
 * running; then the call itself, once no run that recorded the marker is left within the
 * namespace's retention. "No run is left" is a Temporal visibility query, e.g.
 *   temporal workflow count --query "ExecutionStatus='Running' AND StartTime < '2026-12-01T00:00:00Z'"
 * A ticket runs until CLÔTURÉ (a resolved one closes when its reopen window ends), and every
 * continue-as-new starts a run that takes every patch, so older runs drain as tickets close.
 * The recorded histories in workflows/histories/ replay both branches until a patch is retired
 * (`replay.test.ts`); retiring one removes the histories that predate it from that folder.
 */

/**
 * Shipped 2026-11-30. Runs started before it project and publish in one loop, and answer an
 * update as soon as the state changed. Runs with it (new tickets, and every continue-as-new)
 * project and publish in two loops, so a Kafka outage no longer holds up the read model, and
 * answer an update only once the read model holds its version, so the API needs no polling.
 * Asked once, at the start of a run: a run keeps the behaviour it started with.
 * Retire when the query above (StartTime < 2026-12-01) counts 0; not before 2027-03-01.
 */
export const SPLIT_SIDE_EFFECTS_PATCH = 'split-side-effects-and-projected-updates';

/**
 * Shipped 2026-11-30 (issue 14). Runs with it keep each change small in history however long the
 * conversation grows: an update answered once its version is projected leaves the conversation
 * out of its answer (the API reads the ticket from the read model), and the projection sends the
 * activity entries added since the last one it wrote, not the whole state again (the whole state
 * only for a new ticket, or when the read model is not where the delta starts).
 * Retire with SPLIT_SIDE_EFFECTS_PATCH (it is only asked when that one is on).
 */
export const SMALL_CHANGES_PATCH = 'small-update-results-and-projection-deltas';

/**
 * Shipped 2026-11-30 (issue 14's worker kill -9 drill). A side-effect loop makes its last check
 * (nothing left to do) a few microtasks before its promise settles. When two activities complete
 * in one workflow task, the other loop could hand work over in that gap: the projection of
 * version n+1 landed after publishing made its last check at version n, saw `publishing` still
 * set and started nothing, so the events of n+1 stayed unpublished until the next change. With
 * this patch a loop that has made its last check counts as stopped, and a new one is started.
 * Asked only at that moment, so a history that went the old way replays the old way.
 * Retire when the query above counts 0 for StartTime < 2026-12-01; not before 2027-03-01.
 */
export const RESTART_STOPPED_LOOPS_PATCH = 'restart-side-effect-loops-past-their-last-check';

/**
 * Shipped 2026-12-07 (issue 21, satisfaction). The `rate` update: the requester's 1–5 rating
 * while TERMINÉ, once per closure (`state.csat`, a `rated` activity entry, `ticket.rated`).
 * No run recorded before it holds a `rate` update (a new handler adds no command, and a worker
 * without it refused such updates at validation, leaving no trace), so the older histories replay
 * unchanged. The marker is written when a run first takes a rating (`csat-v4.json` holds one): a
 * worker without this code (a rollback) then fails that run's task on the marker, a clear
 * nondeterminism error, rather than on an update it has no handler for; and the query below says
 * which runs hold ratings. Removing the call fails the replay of `csat-v4.json` (checked).
 * Retire (deprecatePatch, then the call) once no run that took a rating before 2026-12-08 is
 * left: temporal workflow count --query "ExecutionStatus='Running' AND StartTime < '2026-12-08T00:00:00Z'"
 * counts 0; not before 2027-03-08.
 */
export const CSAT_RATING_PATCH = 'csat-rating-once-per-closure';

/**
 * Shipped 2026-12-07 (issue 22, fewer round trips per action). Runs with it write the read model
 * in a local activity: run by the worker inside the workflow task that made the change, recorded
 * as a marker, instead of an activity task that goes through the server and back (a workflow task
 * completed, an activity task dispatched, polled and completed, a second workflow task). The
 * update that waits for its projection then answers from the first workflow task. On the bench's
 * no-op floor the pattern answers about twice as fast (create and update alike). Publishing stays
 * an activity (Kafka outages are long; a pending activity shows them in the Temporal UI).
 * Asked once, at the start of a run (only when SMALL_CHANGES_PATCH is on), like the others.
 * Retire when no run started before 2026-12-08 is left; not before 2027-03-08.
 */
export const LOCAL_PROJECTION_PATCH = 'project-in-a-local-activity';
