/** Names of the state main saves for the post step (kept apart so post does not import main). */
export const STATE_MAIN_RAN = 'kaic-main-ran';
export const STATE_CREATED = 'kaic-created';
