/**
 * What the plugin has prepared, on disk, so a restarted plugin still knows which claims it
 * prepared (and what it answered) and can unprepare them. Written whole on every change.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { writeFileAtomically } from './cdi.js';

export interface PreparedDevice {
  request_names: string[];
  pool_name: string;
  device_name: string;
  cdi_device_ids: string[];
}

export interface PreparedClaim {
  namespace: string;
  name: string;
  devices: PreparedDevice[];
  /** Files prepare wrote for the claim, removed again on unprepare. */
  files: string[];
}

interface CheckpointFile {
  version: 1;
  claims: Record<string, PreparedClaim>;
}

export class Checkpoint {
  private claims: Record<string, PreparedClaim> = {};

  constructor(readonly path: string) {}

  /** Reads the file if there is one; a missing file is an empty checkpoint. */
  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as CheckpointFile;
      if (parsed.version !== 1 || typeof parsed.claims !== 'object') {
        throw new Error(`unknown checkpoint format in ${this.path}`);
      }
      this.claims = parsed.claims;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.claims = {};
    }
  }

  get(uid: string): PreparedClaim | undefined {
    return this.claims[uid];
  }

  uids(): string[] {
    return Object.keys(this.claims);
  }

  async set(uid: string, claim: PreparedClaim): Promise<void> {
    await this.save({ ...this.claims, [uid]: claim });
  }

  async delete(uid: string): Promise<void> {
    await this.save(Object.fromEntries(Object.entries(this.claims).filter(([k]) => k !== uid)));
  }

  private async save(claims: Record<string, PreparedClaim>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const file: CheckpointFile = { version: 1, claims };
    await writeFileAtomically(this.path, JSON.stringify(file, null, 2) + '\n', 0o600);
    this.claims = claims;
  }
}
