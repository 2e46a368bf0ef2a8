import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AuditLog } from '@hub/audit';

const DAY_MS = 86_400_000;

/**
 * Retention of the audit log (Datatilsynet: keep the logs for a defined period and delete them automatically): at
 * start and then daily, entries older than `retentionDays` are purged. Every API instance runs it; a purge is
 * idempotent. Owns the log's closing at shutdown, after the HTTP server has stopped.
 */
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: AuditLog,
    private readonly retentionDays: number,
    private readonly clock: () => Date,
    private readonly everyMs = DAY_MS,
  ) {}

  /** Deletes what is past retention now; a failure is logged and tried again at the next run. */
  async purge(): Promise<number> {
    const olderThan = new Date(this.clock().getTime() - this.retentionDays * DAY_MS);
    try {
      const purged = await this.log.purge(olderThan);
      if (purged > 0) this.logger.log({ msg: 'audit entries past retention purged', purged, olderThan });
      return purged;
    } catch (error) {
      this.logger.warn(`the audit log's retention purge failed: ${(error as Error).message}`);
      return 0;
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.purge();
    this.timer = setInterval(() => void this.purge(), this.everyMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.log.close();
  }
}
