/** Labels on what conformance tests create, so a run can find its own objects and leftovers. */

/** Every namespace (and cluster-scoped object) a suite creates for a test carries this label. */
export const TEST_NAMESPACE_LABEL = 'conformance.kaic.dev/test';
/** The run's id (KAIC_RUN_ID), on the same objects. */
export const RUN_ID_LABEL = 'conformance.kaic.dev/run-id';
