// The kinds the runtime can execute, by id: what the compiler checks a chain against without loading the detectors
// (a cold `ktpack build` stays close to `ktpack lint`). test/runtime/run-kind-ids.test.ts keeps it equal to RUN_KINDS.

/** Ids of every kind with a run half in ./index.ts, sorted. */
export const RUN_KIND_IDS: readonly string[] = ['content-filter', 'pii-detector', 'prompt-injection'];
