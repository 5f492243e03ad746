/** kaic's own version, reported in results and `kaic --version`. Kept in step with package.json. */
export const KAIC_VERSION = '0.1.0';
