// The leases of the state dir as they stand: each `leases/<run_id>.json` that reads as a lease of the run it is
// named after (one that names another run is not one of ours). Whoever counts slots, tidies, sweeps or reports
// a hang reads them this way.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { leaseSchema, readStateFile, STATE_FILES, type LeaseRecord } from "../contract/index.js";

export interface LeaseFile {
  path: string;
  record: LeaseRecord;
}

export async function readLeases(dir: string): Promise<LeaseFile[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(".json"));
  const leases = await Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const record = await readStateFile(path, leaseSchema, STATE_FILES.lease.maxBytes);
      return record && name === `${record.run_id}.json` ? { path, record } : undefined;
    }),
  );
  return leases.filter((lease): lease is LeaseFile => lease !== undefined);
}
