import type { Db } from './database';

export type CircuitStateName = 'closed' | 'open' | 'probing';

/** One worker's circuit for an integration, as it last changed. */
export interface WorkerCircuit {
  worker: string;
  state: CircuitStateName;
  consecutive_failures: number;
  opened_at: string | null;
  next_probe_at: string | null;
  updated_at: string;
}

/** What the API shows for an integration: open while any live worker holds its circuit open. */
export interface CircuitView {
  state: CircuitStateName;
  workers: WorkerCircuit[];
}

/**
 * The workers' circuits (src/activities/circuit-breaker.ts), written on each change of state so the API, in another
 * process, can show them. A row is a report, not the circuit: the circuit itself lives in the worker's memory.
 */
export class CircuitStore {
  constructor(private readonly db: Db) {}

  async record(integrationId: string, circuit: WorkerCircuit): Promise<void> {
    const row = { integration_id: integrationId, ...circuit };
    await this.db
      .insertInto('integration_circuits')
      .values(row)
      .onConflict((oc) => oc.columns(['integration_id', 'worker']).doUpdateSet(circuit))
      .execute();
  }

  /**
   * Each integration's circuit as the API shows it. A row not closed whose probe is overdue by more than `staleMs`
   * is left out: its worker is gone (or has nothing to send), so it holds back no delivery.
   */
  async views(options: {
    integrationIds?: string[];
    staleMs: number;
    now?: number;
  }): Promise<Map<string, CircuitView>> {
    let query = this.db.selectFrom('integration_circuits').selectAll();
    if (options.integrationIds) {
      if (options.integrationIds.length === 0) return new Map();
      query = query.where('integration_id', 'in', options.integrationIds);
    }
    const rows = await query.orderBy('worker').execute();
    const staleBefore = (options.now ?? Date.now()) - options.staleMs;
    const views = new Map<string, CircuitView>();
    for (const row of rows) {
      const state = row.state as CircuitStateName;
      if (state !== 'closed' && row.next_probe_at && Date.parse(row.next_probe_at) < staleBefore) continue;
      const view = views.get(row.integration_id) ?? { state: 'closed', workers: [] };
      const { integration_id: _, ...worker } = row;
      view.workers.push({ ...worker, state });
      if (state !== 'closed') view.state = view.state === 'open' || state === 'open' ? 'open' : 'probing';
      views.set(row.integration_id, view);
    }
    return views;
  }
}
