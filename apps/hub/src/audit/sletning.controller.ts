import { Body, Controller, HttpCode, Inject, Logger, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CURRENT_SCHEMA_VERSION,
  DomainError,
  Fejlkode,
  toBorgerStreamId,
  type BorgerSlettet,
  type SlettetBestilling,
  type Violation,
} from '@hub/domain';
import { uuidV5, type EventStore } from '@hub/event-store';
import { liveGeneration } from '@hub/read-models';
import type { PiiVault } from '@hub/privacy';
import { Caller } from '../auth/auth.guard';
import { Parties } from '../auth/parties';
import type { Principal } from '../auth/token-verifier';
import { CLOCK, type HubClock } from '../clock';
import { CommandService } from '../commands/command-service';
import { HttpProblem } from '../http/problem';
import { ProblemDto } from '../http/openapi.dto';
import { ReadSide } from '../read-models/read-side';
import { EVENT_STORE, PII_VAULT } from '../tokens';
import { AuditRecorder, type Use } from './audit.recorder';
import { AUDIT_OPTIONS, type AuditableRequest, type AuditOptions } from './audit.interceptor';
import { ukendtBorger } from './indsigt.controller';
import { IndsigtDto } from './indsigt.dto';
import { resolvePurpose } from './purpose';

export class SletningDto extends IndsigtDto {}

export class SletningSvarDto {
  @ApiProperty({ format: 'uuid' }) borgerId!: string;
  @ApiProperty({ format: 'date-time' }) slettet!: string;
  @ApiProperty({
    type: [String],
    description: 'The bestillinger of the borger; their parties receive dk.ffb.borger.slettet.v1 on their topics',
  })
  bestillinger!: string[];
  @ApiProperty({ description: 'The global log position of the BorgerSlettet event' }) position!: number;
}

/** Namespace of the erasure event's id: one erasure per borger, so a retried request appends nothing new. */
const SLETNING_NS = '6c4f3f1e-8a52-4b7e-9a0d-3f5c2b1e9d70';
const ENDT = new Set(['afsluttet', 'annulleret', 'afvist']);
const READ_MODEL_WAIT_MS = 10_000;

/**
 * Sletning (GDPR art. 17, design.md §3): the myndighed erases a borger whose indsatser have all ended. The hub appends
 * `BorgerSlettet` to the borger's stream and then deletes the borger's data key from the PII vault (crypto-shredding):
 * the CPR and every free text about the borger become unreadable in the log, the read models, replays and backups,
 * and read `[slettet]` wherever they are shown. The log itself is not rewritten: every position stays. The relay sends
 * an erasure notice to every party that received the borger's bestillinger. A retry after a crash between the two
 * steps finds the borger still in the vault, appends nothing new (the event id is derived from the borger) and
 * deletes the key.
 */
@ApiTags('sletning')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: ProblemDto, description: 'Not a CPR-nummer' })
@ApiResponse({ status: 401, type: ProblemDto })
@ApiResponse({ status: 403, type: ProblemDto, description: 'Not the myndighed' })
@ApiResponse({ status: 404, type: ProblemDto, description: 'No bestilling of the kommune for this borger' })
@ApiResponse({
  status: 422,
  type: ProblemDto,
  description: 'BORGER.AKTIV_INDSATS: an indsats has not ended; BORGER.ANDEN_KOMMUNE: another kommune has bestillinger',
})
@ApiResponse({ status: 503, type: ProblemDto, description: 'The read model is behind or a store is unavailable' })
@Parties('myndighed')
@Controller('sletning')
export class SletningController {
  private readonly logger = new Logger('Sletning');

  constructor(
    private readonly recorder: AuditRecorder,
    private readonly reads: ReadSide,
    private readonly commands: CommandService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PII_VAULT) private readonly vault: PiiVault,
    @Inject(CLOCK) private readonly clock: HubClock,
    @Inject(AUDIT_OPTIONS) private readonly audit: AuditOptions,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Slet borger: crypto-shred the CPR and every free text about a borger whose indsatser have ended (myndighed)',
  })
  @ApiResponse({ status: 200, type: SletningSvarDto })
  async slet(
    @Caller() caller: Principal,
    @Req() req: AuditableRequest,
    @Body() body: SletningDto,
  ): Promise<SletningSvarDto> {
    const kommunekode = caller.kommunekode as string;
    const purpose = resolvePurpose(this.audit.authMode, caller.purpose, req.headers['purpose']);
    const borgerId = await this.vault.findBorger(body.cpr.replace('-', ''));
    if (!borgerId) throw ukendtBorger();
    const use: Use = {
      caller,
      action: 'skriv',
      channel: { kind: 'http', method: 'POST', route: '/sletning' },
      purpose,
      correlationId: String(req.id),
    };
    const borger = { borgere: new Set([borgerId]), bestillinger: new Set<string>(), delmaal: new Set<string>() };
    // A retry after a crash between the event and the key deletion finishes the erasure the event records.
    const recorded = (await this.store.readStream(toBorgerStreamId(borgerId))).find((e) => e.type === 'BorgerSlettet');
    if (recorded) {
      const data = recorded.data as BorgerSlettet['data'];
      if (data.kommunekode !== kommunekode) throw ukendtBorger();
      await this.recorder.record(use, borger);
      await this.vault.slet(borgerId);
      return {
        borgerId,
        slettet: data.slettet,
        bestillinger: data.bestillinger.map((b) => b.bestillingId),
        position: recorded.position,
      };
    }
    // From here until the key is gone nothing new is written for the borger (409 BORGER.SLETNING_I_GANG): the checks
    // below see every bestilling, and no text is encrypted under the key about to go.
    if (!(await this.vault.paabegyndSletning(borgerId))) throw ukendtBorger();
    let bestillinger: (SlettetBestilling & { readonly fase: string })[];
    try {
      bestillinger = await this.bestillingerAf(borgerId);
      this.kontroller(bestillinger, kommunekode);
      // Recorded before anything changes: an erasure that cannot be logged does not happen.
      await this.recorder.record(use, borger);
    } catch (error) {
      await this.vault.afbrydSletning(borgerId);
      throw error;
    }
    const slettet = this.clock().toISOString();
    const event: BorgerSlettet = {
      type: 'BorgerSlettet',
      data: {
        borgerId,
        kommunekode,
        slettet,
        bestillinger: bestillinger.map(({ bestillingId, kommunekode: k, tilbudId }) => ({
          bestillingId,
          kommunekode: k,
          tilbudId,
        })),
      },
    };
    const appended = await this.appendOrCallOff(borgerId, () =>
      this.store.appendToStream(
        toBorgerStreamId(borgerId),
        [
          {
            eventId: uuidV5(`borger-slettet:${borgerId}`, SLETNING_NS),
            type: event.type,
            data: event.data,
            metadata: {
              schemaVersion: CURRENT_SCHEMA_VERSION,
              occurredAt: slettet,
              correlationId: String(req.id),
              causationId: String(req.id),
              actor: { party: caller.party, subject: caller.subject, kommunekode },
            },
          },
        ],
        { expectedRevision: 'any' },
      ),
    );
    // The event is in the log before the key goes: a crash here leaves a retry that finishes the erasure.
    await this.vault.slet(borgerId);
    this.logger.log({ msg: 'borger erased', position: appended.lastPosition, bestillinger: bestillinger.length });
    return {
      borgerId,
      slettet,
      bestillinger: bestillinger.map((b) => b.bestillingId),
      position: appended.lastPosition,
    };
  }

  /** A store that refuses the append (503) calls the erasure off at once; a retry starts it again. */
  private async appendOrCallOff<T>(borgerId: string, append: () => Promise<T>): Promise<T> {
    try {
      return await append();
    } catch (error) {
      await this.vault.afbrydSletning(borgerId).catch(() => undefined);
      throw error;
    }
  }

  /** The erasure's rules: the caller's kommune has the borger's bestillinger, no other kommune has any, all ended. */
  private kontroller(bestillinger: readonly (SlettetBestilling & { readonly fase: string })[], kommunekode: string) {
    if (!bestillinger.some((b) => b.kommunekode === kommunekode)) throw ukendtBorger();
    if (bestillinger.some((b) => b.kommunekode !== kommunekode))
      throw new DomainError('rule', [
        {
          code: Fejlkode.borgerAndenKommune,
          message: 'another kommune has bestillinger for this borger; each kommune cannot erase what another holds',
        },
      ]);
    const [aktiv, ...flere] = bestillinger
      .filter((b) => !ENDT.has(b.fase))
      .map((b): Violation => ({
        code: Fejlkode.borgerAktivIndsats,
        field: 'cpr',
        message: `bestilling ${b.bestillingId} is ${b.fase}: end the indsats (afslutning or annullering) before erasing the borger`,
        expected: 'every bestilling afsluttet, annulleret or afvist',
      }));
    if (aktiv) throw new DomainError('rule', [aktiv, ...flere]);
  }

  /**
   * Every bestilling of the borger with its parties and phase. The sagsoversigt read model finds them once it has
   * caught up with the log as it was when the request came; each one's phase comes from its stream (the truth).
   */
  private async bestillingerAf(borgerId: string): Promise<(SlettetBestilling & { readonly fase: string })[]> {
    const head = await this.store.headPosition();
    const deadline = Date.now() + READ_MODEL_WAIT_MS;
    for (;;) {
      const live = await liveGeneration(this.reads.readDb, this.reads.models.sagsoversigt.name);
      if (live && live.position >= head) break;
      if (Date.now() > deadline)
        throw new HttpProblem(
          503,
          'LAESEMODEL.BAGUD',
          'Service unavailable',
          'the read models have not caught up with the log yet; retry shortly',
          [],
          { 'Retry-After': '2' },
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    const rows = (await this.reads.db
      .selectFrom(t.indsats)
      .select('id')
      .where('borger_id', '=', borgerId)
      .execute()) as { id: string }[];
    const result: (SlettetBestilling & { readonly fase: string })[] = [];
    for (const { id } of rows) {
      const { state } = await this.commands.bestilling(id);
      if (state.fase === 'ingen') continue;
      result.push({ bestillingId: id, kommunekode: state.kommunekode, tilbudId: state.tilbudId, fase: state.fase });
    }
    return result;
  }
}
