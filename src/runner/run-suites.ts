/**
 * Runs conformance suites with Mocha, in process: loads the spec files, keeps the tests the
 * selection asks for, runs them with a per-test timeout and reports each result as it finishes.
 * Files run side by side, up to `parallel` at once, as their declared budgets allow (./budget.ts).
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import Mocha, { type Hook, type Runnable, type Suite, type Test } from 'mocha';

import { CATEGORIES, LEVELS, type Level, type Requirement } from '../requirements/catalog.js';
import type { SourceLocation, TestResult } from '../results/model.js';
import { budgetOf, mayStart, queueOrder, type BudgetedSuite, type RunLimits } from './budget.js';
import { evidenceOf, isOptional, isSupporting, skipReasonOf } from './evidence.js';
import { parseTitleTag, TitleTagError } from './titles.js';

export interface Selection {
  ids?: string[];
  categories?: string[];
  levels?: Level[];
  /** Regular expression over the full test title. */
  grep?: string;
}

export interface RunSuitesOptions {
  specFiles: string[];
  /** The requirements of the conformance version in use (catalog or checklist). */
  requirements: Requirement[];
  selection?: Selection;
  /** Requirements declared N/A: their tests do not run. */
  skipIds?: string[];
  timeoutMs?: number;
  /** Suite files at once, at most (default 1: one after another). */
  parallel?: number;
  /**
   * Accelerator devices the suites may hold together (see ./device-capacity.ts); unknown or 0:
   * suites that hold devices run one at a time.
   */
  deviceCapacity?: number | (() => Promise<number>);
  onSuiteStart?: (suite: { name: string; requirementIds: string[] }) => void;
  onSuiteEnd?: (suite: { name: string; requirementIds: string[]; wallMs: number }) => void;
  /** The tests that will run, once selected (before the first starts). */
  onPlanned?: (tests: PlannedTest[]) => void;
  onTestEnd?: (result: TestResult) => void;
}

/** A test as known before it runs. */
export type PlannedTest = Pick<
  TestResult,
  'requirementId' | 'level' | 'title' | 'fullTitle' | 'file' | 'supporting'
>;

export interface IgnoredTest {
  fullTitle: string;
  reason: string;
}

export interface SuiteRun {
  selected: Requirement[];
  tests: TestResult[];
  ignored: IgnoredTest[];
}

export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectionError';
  }
}

/** The requirements a selection keeps; every unknown id, category or level is an error. */
export function selectRequirements(
  requirements: Requirement[],
  selection: Selection = {},
): Requirement[] {
  const known = requirements.map((r) => r.id);
  const unknownIds = (selection.ids ?? []).filter((id) => !known.includes(id));
  if (unknownIds.length) {
    throw new SelectionError(
      `unknown requirement id ${unknownIds.map((id) => `"${id}"`).join(', ')}; this version has: ${known.join(', ')}`,
    );
  }
  const unknownCategories = (selection.categories ?? []).filter(
    (c) =>
      !(CATEGORIES as readonly string[]).includes(c) && !requirements.some((r) => r.category === c),
  );
  if (unknownCategories.length) {
    throw new SelectionError(
      `unknown category ${unknownCategories.map((c) => `"${c}"`).join(', ')}; categories: ${[...new Set(requirements.map((r) => r.category))].join(', ')}`,
    );
  }
  const badLevels = (selection.levels ?? []).filter(
    (l) => !(LEVELS as readonly string[]).includes(l),
  );
  if (badLevels.length) {
    throw new SelectionError(`unknown level ${badLevels.join(', ')}; levels: ${LEVELS.join(', ')}`);
  }
  if (selection.grep !== undefined) {
    try {
      new RegExp(selection.grep);
    } catch (error) {
      throw new SelectionError(
        `grep "${selection.grep}" is not a regular expression: ${(error as Error).message}`,
      );
    }
  }
  return requirements.filter(
    (r) =>
      (!selection.ids?.length || selection.ids.includes(r.id)) &&
      (!selection.categories?.length || selection.categories.includes(r.category)) &&
      (!selection.levels?.length || selection.levels.includes(r.level)),
  );
}

function allTests(suite: Suite): Test[] {
  return [...suite.tests, ...suite.suites.flatMap(allTests)];
}

function fileUrlToPath(file: string): string {
  return file.startsWith('file://') ? decodeURIComponent(new URL(file).pathname) : file;
}

/** The first stack frame inside the spec file, if any (frames may be absolute, relative or URLs). */
export function locateFailure(
  stack: string | undefined,
  file: string | null,
): SourceLocation | null {
  if (!stack || !file) return null;
  const wanted = resolve(fileUrlToPath(file));
  for (const match of stack.matchAll(/(?:\(|at )((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?$/gm)) {
    if (resolve(fileUrlToPath(match[1] as string)) === wanted) {
      return { file: wanted, line: Number(match[2]), column: Number(match[3]) };
    }
  }
  return null;
}

/** One spec file loaded into a Mocha instance of its own, pruned to the selected tests. */
interface LoadedSuite extends BudgetedSuite {
  mocha: Mocha;
  tests: Test[];
  requirementIds: string[];
}

let suiteRuns = 0;

export async function runSuites(options: RunSuitesOptions): Promise<SuiteRun> {
  const selected = selectRequirements(options.requirements, options.selection).filter(
    (r) => !options.skipIds?.includes(r.id),
  );
  const byId = new Map(options.requirements.map((r) => [r.id, r]));
  const selectedIds = new Set(selected.map((r) => r.id));
  const grep = options.selection?.grep ? new RegExp(options.selection.grep) : null;

  // A spec file defines its tests when it is evaluated, and a module is evaluated once per
  // process, so each run after the first imports the files under a URL of its own. This is what
  // Mocha's loadFiles does (the same file events, so its globals are set), with that URL. Each
  // file gets a Mocha instance of its own, so files can run side by side.
  const runNumber = ++suiteRuns;
  const ignored: IgnoredTest[] = [];
  const tagErrors: string[] = [];
  const levels = new Map<Test, Level>();
  const prune = (suite: Suite) => {
    suite.tests = suite.tests.filter((test) => {
      const fullTitle = test.fullTitle();
      let tag;
      try {
        tag = parseTitleTag(fullTitle);
      } catch (error) {
        if (error instanceof TitleTagError) tagErrors.push(error.message);
        else throw error;
        return false;
      }
      const requirement = byId.get(tag.requirementId);
      if (!requirement) {
        ignored.push({
          fullTitle,
          reason: `requirement ${tag.requirementId} is not in this conformance version`,
        });
        return false;
      }
      if (!selectedIds.has(requirement.id) || (grep && !grep.test(fullTitle))) return false;
      levels.set(test, requirement.level);
      return true;
    });
    suite.suites.forEach(prune);
  };
  const loaded: LoadedSuite[] = [];
  for (const file of options.specFiles) {
    const mocha = new Mocha({
      timeout: options.timeoutMs ?? 5 * 60_000,
      // Results are collected from runner events; Mocha itself prints nothing.
      reporter: function Silent() {} as unknown as string,
    });
    // Loaded here, so run() must not load them again (@types/mocha lacks this public method).
    (mocha as Mocha & { lazyLoadFiles(enable: boolean): Mocha }).lazyLoadFiles(true);
    mocha.files.push(file);
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, file, mocha);
    const url = pathToFileURL(file).href + (runNumber === 1 ? '' : `?kaic-run=${runNumber}`);
    const module = (await import(url)) as { budget?: unknown };
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_REQUIRE, module, file, mocha);
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_POST_REQUIRE, globalThis, file, mocha);
    prune(mocha.suite);
    const tests = allTests(mocha.suite);
    loaded.push({
      name: basename(file).replace(/\.[cm]?[jt]s$/, ''),
      budget: budgetOf(module.budget, file),
      mocha,
      tests,
      requirementIds: [...new Set(tests.map((t) => parseTitleTag(t.fullTitle()).requirementId))],
    });
  }
  if (tagErrors.length) throw new TitleTagError(tagErrors.join('\n'));

  const planned = loaded.flatMap((s) => s.tests);
  options.onPlanned?.(
    planned.map((test) => ({
      requirementId: parseTitleTag(test.fullTitle()).requirementId,
      level: levels.get(test) ?? parseTitleTag(test.fullTitle()).level,
      title: test.title,
      fullTitle: test.fullTitle(),
      file: test.file ? fileUrlToPath(test.file) : null,
      ...(isSupporting(test) ? { supporting: true } : {}),
      ...(isOptional(test) ? { optional: true } : {}),
    })),
  );
  const results = new Map<Test, TestResult>();
  const hookFailures = new Map<Suite, { title: string; message: string }>();

  const record = (test: Test, status: TestResult['status'], error?: Error) => {
    if (results.has(test)) return;
    const file = test.file ?? null;
    const tag = parseTitleTag(test.fullTitle());
    const result: TestResult = {
      requirementId: tag.requirementId,
      level: levels.get(test) ?? tag.level,
      title: test.title,
      fullTitle: test.fullTitle(),
      file: file ? fileUrlToPath(file) : null,
      status,
      durationMs: test.duration ?? 0,
      failure: error
        ? {
            message: error.message || String(error),
            stack: error.stack ?? null,
            location: locateFailure(error.stack, file),
          }
        : null,
      skipReason:
        status === 'skipped' ? (skipReasonOf(test) ?? 'skipped without a stated reason') : null,
      evidence: evidenceOf(test),
      ...(isSupporting(test) ? { supporting: true } : {}),
      ...(isOptional(test) ? { optional: true } : {}),
    };
    results.set(test, result);
    options.onTestEnd?.(result);
  };

  const runOne = (suite: LoadedSuite) =>
    new Promise<void>((resolve) => {
      const runner = suite.mocha.run(() => resolve());
      runner.on('pass', (test: Test) => record(test, 'passed'));
      runner.on('pending', (test: Test) => record(test, 'skipped'));
      runner.on('fail', (runnable: Runnable, error: Error) => {
        if ((runnable as Runnable & { type?: string }).type === 'hook') {
          const hook = runnable as Hook;
          // A failing hook stops the tests under it; remember why for those that never report.
          const current = (hook as Hook & { ctx?: { currentTest?: Test } }).ctx?.currentTest;
          if (hook.title.includes('"before each"') || hook.title.includes('"after each"')) {
            if (current && !results.has(current)) record(current, 'failed', error);
          }
          if (hook.parent) {
            hookFailures.set(hook.parent, { title: hook.title, message: error.message });
          }
          return;
        }
        record(runnable as Test, 'failed', error);
      });
    });

  // Side by side within the budgets: whenever a suite ends, every waiting suite that may start
  // beside the running ones starts, longest first.
  const limits: RunLimits = {
    parallel: Math.max(1, options.parallel ?? 1),
    devices: options.parallel && options.parallel > 1 ? await deviceCapacityOf(options) : 0,
  };
  const waiting = queueOrder(loaded.filter((s) => s.tests.length > 0));
  const running = new Set<LoadedSuite>();
  await new Promise<void>((allDone) => {
    const startWhatFits = () => {
      for (const suite of [...waiting]) {
        if (!mayStart(suite, [...running], limits)) continue;
        waiting.splice(waiting.indexOf(suite), 1);
        running.add(suite);
        const startedAt = Date.now();
        options.onSuiteStart?.({ name: suite.name, requirementIds: suite.requirementIds });
        void runOne(suite).then(() => {
          running.delete(suite);
          options.onSuiteEnd?.({
            name: suite.name,
            requirementIds: suite.requirementIds,
            wallMs: Date.now() - startedAt,
          });
          if (waiting.length === 0 && running.size === 0) allDone();
          else startWhatFits();
        });
      }
    };
    if (waiting.length === 0) allDone();
    else startWhatFits();
  });

  // Tests a failing hook kept from running count as failed: their requirement was not shown.
  for (const test of planned) {
    if (results.has(test)) continue;
    let suite: Suite | undefined = test.parent;
    let failure: { title: string; message: string } | undefined;
    while (suite && !failure) {
      failure = hookFailures.get(suite);
      suite = suite.parent;
    }
    const error = new Error(
      failure
        ? `not run: ${failure.title} failed: ${failure.message}`
        : 'not run: Mocha never reached this test',
    );
    error.stack = undefined;
    record(test, 'failed', error);
  }

  // Each runner keeps its process listeners (uncaughtException, unhandledRejection) until disposed.
  for (const suite of loaded) suite.mocha.dispose();
  return { selected, tests: planned.map((t) => results.get(t) as TestResult), ignored };
}

/** The capacity the options give, or 0 (device users one at a time) when it cannot be read. */
async function deviceCapacityOf(options: RunSuitesOptions): Promise<number> {
  const capacity = options.deviceCapacity;
  if (typeof capacity === 'number') return capacity;
  if (!capacity) return 0;
  return capacity().catch(() => 0);
}
