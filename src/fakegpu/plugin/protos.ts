/**
 * The text of kaic's .proto files (./proto). Read from disk when running from source; the bundler
 * replaces this module with one that has the texts inlined (scripts/bundle.js), so the single-file
 * bundle needs no files beside it.
 */
import { readFileSync } from 'node:fs';

export function protoSource(file: string): string {
  return readFileSync(new URL(`./proto/${file}`, import.meta.url), 'utf8');
}
