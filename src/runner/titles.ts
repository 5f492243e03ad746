/**
 * How a Mocha test names its requirement: `[AIConformance] [<id>] [<LEVEL>]` somewhere in its full
 * title (describe titles included), exactly once.
 */
import { LEVELS, type Level } from '../requirements/catalog.js';

export const TAG_PATTERN = /\[AIConformance\]\s*\[([a-z0-9_]+)\]\s*\[([A-Z]+)\]/g;

export interface TitleTag {
  requirementId: string;
  level: Level;
}

export class TitleTagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TitleTagError';
  }
}

/** The one tag in a full title; throws naming the test when there is none, several, or a bad level. */
export function parseTitleTag(fullTitle: string): TitleTag {
  const tags = [...fullTitle.matchAll(TAG_PATTERN)];
  if (tags.length === 0) {
    throw new TitleTagError(
      `test "${fullTitle}" names no requirement; put [AIConformance] [<id>] [MUST|SHOULD] in its describe or it title`,
    );
  }
  const ids = new Set(tags.map((t) => t[1]));
  if (ids.size > 1) {
    throw new TitleTagError(
      `test "${fullTitle}" names several requirements (${[...ids].join(', ')}); a test belongs to exactly one`,
    );
  }
  const [, requirementId, level] = tags[0] as RegExpMatchArray;
  if (!(LEVELS as readonly string[]).includes(level as string)) {
    throw new TitleTagError(`test "${fullTitle}" has level [${level}]; use [MUST] or [SHOULD]`);
  }
  return { requirementId: requirementId as string, level: level as Level };
}

/** The title for a requirement's describe block, so a grep selects it. */
export function requirementTag(id: string, level: Level): string {
  return `[AIConformance] [${id}] [${level}]`;
}
