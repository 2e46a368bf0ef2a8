import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Fejlkode } from '@hub/domain';
import type { PiiVault } from '@hub/privacy';
import { Caller } from '../auth/auth.guard';
import type { Principal } from '../auth/token-verifier';
import { AccessDeniedError } from '../commands/access';
import { HttpProblem } from '../http/problem';
import { ProblemDto } from '../http/openapi.dto';
import { ReadSide } from '../read-models/read-side';
import { PII_VAULT } from '../tokens';
import { AuditRecorder } from './audit.recorder';
import type { AuditableRequest } from './audit.interceptor';
import { IndsigtDto, IndsigtSvarDto } from './indsigt.dto';

/** The 404 for a CPR the hub does not know or the kommune has no bestilling for: the two are not told apart. */
export const ukendtBorger = () =>
  new HttpProblem(
    404,
    Fejlkode.borgerFindesIkke,
    'Not found',
    "no borger with this CPR among the kommune's bestillinger",
  );

/**
 * Indsigt (GDPR art. 15; CJEU C-579/21): the myndighed, the data controller, asks for every recorded use of a borger's
 * data — when, by which party and subject, what and where, and why. Only for a borger it has bestillinger for. The
 * CPR is looked up in the PII vault and goes nowhere else; the request itself is recorded with purpose `indsigt`.
 */
@ApiTags('indsigt')
@ApiBearerAuth()
@ApiResponse({ status: 400, type: ProblemDto, description: 'Not a CPR-nummer' })
@ApiResponse({ status: 401, type: ProblemDto })
@ApiResponse({ status: 403, type: ProblemDto, description: 'Not the myndighed' })
@ApiResponse({ status: 404, type: ProblemDto, description: 'No bestilling of the kommune for this borger' })
@ApiResponse({ status: 503, type: ProblemDto, description: 'The audit log is unavailable' })
@Controller('indsigt')
export class IndsigtController {
  constructor(
    private readonly recorder: AuditRecorder,
    private readonly reads: ReadSide,
    @Inject(PII_VAULT) private readonly vault: PiiVault,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: "Indsigt: every recorded lookup and write of a borger's data, with its purpose (myndighed)",
  })
  @ApiResponse({ status: 200, type: IndsigtSvarDto })
  async indsigt(
    @Caller() caller: Principal,
    @Req() req: AuditableRequest,
    @Body() body: IndsigtDto,
  ): Promise<IndsigtSvarDto> {
    if (caller.party !== 'myndighed')
      throw new AccessDeniedError('ADGANG.FORKERT_PART', 'an insight request is made by the myndighed');
    const borgerId = await this.vault.findBorger(body.cpr.replace('-', ''));
    if (!borgerId) throw ukendtBorger();
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    const egen = await this.reads.db
      .selectFrom(t.indsats)
      .select('id')
      .where('borger_id', '=', borgerId)
      .where('kommunekode', '=', caller.kommunekode as string)
      .limit(1)
      .executeTakeFirst();
    if (!egen) throw ukendtBorger();
    await this.recorder.record(
      {
        caller,
        action: 'laes',
        channel: { kind: 'http', method: 'POST', route: '/indsigt' },
        purpose: 'indsigt',
        correlationId: String(req.id),
      },
      { borgere: new Set([borgerId]), bestillinger: new Set(), delmaal: new Set() },
    );
    const opslag = (await this.recorder.forBorger(borgerId)).map(({ borgerId: _, ...entry }) => entry);
    return { borgerId, opslag };
  }
}
