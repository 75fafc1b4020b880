/**
 * @module The isolate's state, in one list: every module-level cache the worker keeps between
 * requests, each in the module that owns it and named for what it holds, and the one reset that
 * makes this isolate a new one (`forgetIsolate`: tests start each case with it). Nothing else is
 * module-level state; configuration, admin settings, key secrets and scopes are memoised per `env`
 * or per configuration object, which a new deployment replaces.
 *
 * | cache                      | module               | holds                                                        |
 * |----------------------------|----------------------|--------------------------------------------------------------|
 * | `heldList`, `purgesSeen`   | cache/memory.ts      | the list (MEMORY), and how many purges this isolate has seen |
 * | `currentGeneration`        | cache/memory.ts      | the purge generation held current (older lists are gone)     |
 * | `kvReadUnderWay`           | serve/read.ts        | the KV read of the list under way (KV)                       |
 * | `answersOfVersion`         | serve/answers.ts     | the answers serialised from the list version last served     |
 * | `copiedVersions`           | cache/edge.ts        | the versions put to the data centre's copy (EDGE)            |
 * | `kvFailureStreaks`, `lastKvFailure` | cache/kv.ts | how KV has been doing (its failures open the pause)          |
 * | `refreshUnderWay`, `refreshWritesBehindAnswer`, `lastFailedRefresh` | refresh/shared.ts | the refresh under way here (REFRESH), whether its writes run behind an answer, the last failed one (the pause) |
 * | `lastUnreachable`          | coordinator/client.ts | the last failure to reach the coordinator                   |
 * | `heldIndex`, `indexReadUnderWay` | keys/store.ts  | the client-key index and its KV read under way               |
 * | `verifiedKeys`             | keys/verify.ts       | keys already checked against an index version                |
 * | `spares`                   | refresh/body-reader.ts | read buffers kept for the next upstream body               |
 * | `pending`, `scheduled`     | usage/batch.ts       | usage counted here and not yet sent, and whether a send is due |
 * | `senders`                  | usage/send.ts        | the usage sender per coordinator binding                     |
 */
import { forgetCopiedVersions } from '../cache/edge.ts';
import { forgetGenerations } from '../cache/memory.ts';
import { forgetStoreHealth } from '../cache/kv.ts';
import { forgetCoordinatorFailure } from '../coordinator/client.ts';
import { forgetKeys } from '../keys/store.ts';
import { forgetVerifiedKeys } from '../keys/verify.ts';
import { forgetSpareBuffers } from '../refresh/body-reader.ts';
import { forgetPendingUsage } from '../usage/batch.ts';
import { forgetFailures } from '../refresh/shared.ts';
import { forgetList } from './read.ts';

/** What a new isolate knows: no list, no answers, no copies put, no failures, no keys. */
export function forgetIsolate(): void {
  forgetList();
  forgetGenerations();
  forgetCopiedVersions();
  forgetStoreHealth();
  forgetFailures();
  forgetCoordinatorFailure();
  forgetKeys();
  forgetVerifiedKeys();
  forgetSpareBuffers();
  forgetPendingUsage();
}
