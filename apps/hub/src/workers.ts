import { SingleActive, type LeasedWorker, type LeaseStore, type SingleActiveStatus } from '@hub/leases';

/** The worker roles that run single-active (design.md §1). */
export type WorkerRole = 'projector' | 'relay' | 'rules';

/** A worker as the lease runs it, and the object behind it (the Projector, the RulesWorker) for health and metrics. */
export interface RoleWorker extends LeasedWorker {
  readonly instance: unknown;
}

export interface WorkerDefinition {
  readonly role: WorkerRole;
  /** A fresh worker each time this instance takes the role's lease (or once, without leases). */
  readonly create: () => RoleWorker;
}

export interface HubWorkersOptions {
  /** Null: no leases (the embedded default, where one process owns the data directory); workers start at once. */
  readonly leases: LeaseStore | null;
  readonly holder: string;
  readonly ttlMs: number;
  readonly workers: readonly WorkerDefinition[];
  readonly logger: {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
  };
}

export interface WorkerStatus {
  readonly role: WorkerRole;
  /** active: running here; standby: another instance holds the lease, this one takes over when it lapses. */
  readonly state: 'active' | 'standby' | 'stopped';
  readonly token?: number;
  readonly takeovers?: number;
}

/**
 * The worker roles of one hub instance. With leases (several instances on PostgreSQL), each role runs under its own
 * lease named after it: the projector, the relay and the rules may be active on different instances, and a standby
 * takes a role over within the lease's TTL after its holder dies (docs/adr/0011).
 */
export class HubWorkers {
  private readonly leased = new Map<WorkerRole, SingleActive>();
  private readonly direct = new Map<WorkerRole, RoleWorker>();

  constructor(private readonly options: HubWorkersOptions) {}

  async start(): Promise<void> {
    const { leases } = this.options;
    for (const definition of this.options.workers) {
      if (leases === null) {
        const worker = definition.create();
        this.direct.set(definition.role, worker);
        await worker.start();
        continue;
      }
      const single = new SingleActive({
        leases,
        name: definition.role,
        holder: this.options.holder,
        ttlMs: this.options.ttlMs,
        worker: definition.create,
        logger: this.options.logger,
      });
      this.leased.set(definition.role, single);
      await single.start();
    }
  }

  /** Stops every worker and gives the leases up, so a standby takes over at once. */
  async stop(): Promise<void> {
    for (const role of ['rules', 'relay', 'projector'] as const) {
      await this.leased.get(role)?.stop();
      await this.direct.get(role)?.stop();
    }
    this.leased.clear();
    this.direct.clear();
  }

  has(role: WorkerRole): boolean {
    return this.options.workers.some((w) => w.role === role);
  }

  /** The role's worker while it runs on this instance; undefined on standby or without the role. */
  current<T>(role: WorkerRole): T | undefined {
    const worker = (this.direct.get(role) ?? this.leased.get(role)?.current()) as RoleWorker | undefined;
    return worker?.instance as T | undefined;
  }

  status(): WorkerStatus[] {
    return this.options.workers.map(({ role }): WorkerStatus => {
      const single = this.leased.get(role);
      if (single) {
        const s: SingleActiveStatus = single.status();
        return { role, state: s.state, ...(s.token === undefined ? {} : { token: s.token }), takeovers: s.takeovers };
      }
      return { role, state: this.direct.has(role) ? 'active' : 'stopped' };
    });
  }
}
