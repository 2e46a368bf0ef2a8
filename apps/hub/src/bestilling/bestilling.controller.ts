import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { kontrollerCpr, DomainError, Fejlkode, type BestillingCommand } from '@hub/domain';
import type { PiiVault } from '@hub/privacy';
import { Caller } from '../auth/auth.guard';
import type { Principal } from '../auth/token-verifier';
import { CommandService } from '../commands/command-service';
import { assertScope } from '../commands/access';
import { CommandExecutor, etag } from '../http/command-executor';
import { UuidParam } from '../http/uuid.pipe';
import { PII_VAULT } from '../tokens';
import {
  AccepterBestillingDto,
  AendrBestillingDto,
  AfgivBestillingDto,
  AfslutIndsatsDto,
  BegrundelseDto,
  KvitterBestillingDto,
  KvitterTilbagemeldingDto,
  OpfoelgningDto,
  StatusDto,
  TilbagemeldingDto,
  VumObservationDto,
} from './bestilling.dto';
import { OpretDelmaalDto } from '../delmaal/delmaal.dto';
import { BestillingTilstandDto, Kommando, ProblemDto, commandHeaders } from '../http/openapi.dto';

@ApiTags('bestillinger')
@ApiBearerAuth()
@ApiHeader(commandHeaders.idempotencyKey)
@ApiResponse({ status: 400, type: ProblemDto, description: 'Malformed request (types, unknown fields, JSON)' })
@ApiResponse({ status: 401, type: ProblemDto, description: 'No valid token' })
@ApiResponse({
  status: 403,
  type: ProblemDto,
  description: "Another party's bestilling, or a command of the other party",
})
@ApiResponse({ status: 404, type: ProblemDto, description: 'Unknown bestilling' })
@ApiResponse({ status: 409, type: ProblemDto, description: 'A concurrent write came first' })
@ApiResponse({ status: 422, type: ProblemDto, description: 'A business rule is violated; errors[] names each' })
@Controller('bestillinger')
export class BestillingController {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandService,
    @Inject(PII_VAULT) private readonly vault: PiiVault,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Afgiv bestilling (myndighed)',
    description: 'The CPR goes to the PII vault; the events carry a borgerId.',
  })
  @Kommando(201, { ifMatch: false })
  async afgiv(
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: AfgivBestillingDto,
  ) {
    kontrollerCpr(body.cpr);
    const bestillingId = this.executor.resourceId(req, caller, body.bestillingId, 'bestillingId');
    const { cpr, ...rest } = body;
    const kendt = this.vault.findBorger(cpr);
    const command = (borgerId: string): BestillingCommand => ({
      type: 'AfgivBestilling',
      data: {
        ...rest,
        bestillingId,
        borgerId,
        ydelser: (rest.ydelser ?? []).map((y, i) => ({
          ...y,
          ydelseLinjeId: this.executor.resourceId(req, caller, y.ydelseLinjeId, `ydelseLinjeId[${i}]`),
        })),
        indsatsmaal: (rest.indsatsmaal ?? []).map((m, i) => ({
          ...m,
          indsatsmaalId: this.executor.resourceId(req, caller, m.indsatsmaalId, `indsatsmaalId[${i}]`),
        })),
      } as never,
    });
    const provisional = kendt ?? randomUUID();
    await this.executor.execute(req, res, caller, command(provisional), {
      status: 201,
      id: bestillingId,
      location: `/bestillinger/${bestillingId}`,
      creates: true,
      // The borger enters the vault only once the bestilling is known to be accepted.
      beforeAppend: kendt ? undefined : () => command(this.vault.registrerBorger(cpr, () => provisional).borgerId),
    });
  }

  @Get(':bestillingId')
  @ApiOperation({ summary: 'The current state of a bestilling (both parties, each only its own)' })
  @ApiResponse({ status: 200, type: BestillingTilstandDto, description: 'ETag is the stream revision' })
  async hent(
    @UuidParam('bestillingId') bestillingId: string,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { state, revision } = await this.commands.bestilling(bestillingId);
    if (state.fase === 'ingen')
      throw new DomainError('not_found', [
        { code: Fejlkode.bestillingFindesIkke, message: `bestilling ${bestillingId} does not exist` },
      ]);
    assertScope(caller, state);
    res.setHeader('ETag', etag(revision));
    return { ...state, revision };
  }

  @Post(':bestillingId/aendringer')
  @Kommando(200)
  @ApiOperation({ summary: 'Ændr bestilling: a new version (myndighed)' })
  aendr(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: AendrBestillingDto,
  ) {
    const data = {
      ...body,
      bestillingId,
      tilfoejIndsatsmaal: body.tilfoejIndsatsmaal?.map((m, i) => ({
        ...m,
        indsatsmaalId: this.executor.resourceId(req, caller, m.indsatsmaalId, `indsatsmaalId[${i}]`),
      })),
      tilfoejYdelser: body.tilfoejYdelser?.map((y, i) => ({
        ...y,
        ydelseLinjeId: this.executor.resourceId(req, caller, y.ydelseLinjeId, `ydelseLinjeId[${i}]`),
      })),
    };
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'AendrBestilling', data: data as never },
      { status: 200, id: bestillingId },
    );
  }

  @Post(':bestillingId/annullering')
  @Kommando(200)
  @ApiOperation({ summary: 'Annuller bestilling before the udfører answers (myndighed)' })
  annuller(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: BegrundelseDto,
  ) {
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'AnnullerBestilling', data: { bestillingId, begrundelse: body.begrundelse } },
      { status: 200, id: bestillingId },
    );
  }

  @Post(':bestillingId/kvittering')
  @Kommando(200)
  @ApiOperation({ summary: 'Kvitter modtagelse of a version (udfører)' })
  kvitter(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: KvitterBestillingDto,
  ) {
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'KvitterBestilling', data: { bestillingId, version: body.version } },
      { status: 200, id: bestillingId },
    );
  }

  @Post(':bestillingId/accept')
  @Kommando(200)
  @ApiOperation({ summary: 'Accepter bestilling (udfører)' })
  accepter(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: AccepterBestillingDto,
  ) {
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'AccepterBestilling', data: { bestillingId, forventetStartdato: body.forventetStartdato ?? null } },
      { status: 200, id: bestillingId },
    );
  }

  @Post(':bestillingId/afvisning')
  @Kommando(200)
  @ApiOperation({ summary: 'Afvis bestilling with a begrundelse (udfører)' })
  afvis(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: BegrundelseDto,
  ) {
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'AfvisBestilling', data: { bestillingId, begrundelse: body.begrundelse } },
      { status: 200, id: bestillingId },
    );
  }

  @Post(':bestillingId/vum-observationer')
  @ApiOperation({ summary: 'Registrer VUM-observation tagged with undertemaer (udfører)' })
  @Kommando(201)
  vumObservation(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: VumObservationDto,
  ) {
    const observationId = this.executor.resourceId(req, caller, body.observationId, 'observationId');
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'RegistrerVumObservation', data: { ...body, bestillingId, observationId } },
      { status: 201, id: observationId },
    );
  }

  @Post(':bestillingId/status')
  @ApiOperation({ summary: 'Send status på indsatsmål, answering every active indsatsmål (udfører)' })
  @Kommando(201)
  status(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: StatusDto,
  ) {
    const statusId = this.executor.resourceId(req, caller, body.statusId, 'statusId');
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'SendStatus', data: { bestillingId, statusId, indsatsmaal: body.indsatsmaal } },
      { status: 201, id: statusId },
    );
  }

  @Post(':bestillingId/tilbagemeldinger')
  @ApiOperation({ summary: 'Send tilbagemelding (udfører)' })
  @Kommando(201)
  tilbagemelding(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: TilbagemeldingDto,
  ) {
    const tilbagemeldingId = this.executor.resourceId(req, caller, body.tilbagemeldingId, 'tilbagemeldingId');
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'SendTilbagemelding', data: { ...body, bestillingId, tilbagemeldingId } },
      { status: 201, id: tilbagemeldingId },
    );
  }

  @Post(':bestillingId/tilbagemeldinger/:tilbagemeldingId/kvittering')
  @Kommando(200)
  @ApiOperation({ summary: 'Kvitter tilbagemelding (myndighed)' })
  kvitterTilbagemelding(
    @UuidParam('bestillingId') bestillingId: string,
    @UuidParam('tilbagemeldingId') tilbagemeldingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: KvitterTilbagemeldingDto,
  ) {
    return this.executor.execute(
      req,
      res,
      caller,
      {
        type: 'KvitterTilbagemelding',
        data: { bestillingId, tilbagemeldingId, bemaerkning: body.bemaerkning ?? null },
      },
      { status: 200, id: tilbagemeldingId },
    );
  }

  @Post(':bestillingId/opfoelgninger')
  @ApiOperation({ summary: 'Gennemfør opfølgning (myndighed)' })
  @Kommando(201)
  opfoelgning(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: OpfoelgningDto,
  ) {
    const opfoelgningId = this.executor.resourceId(req, caller, body.opfoelgningId, 'opfoelgningId');
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'GennemfoerOpfoelgning', data: { ...body, bestillingId, opfoelgningId } as never },
      { status: 201, id: opfoelgningId },
    );
  }

  @Post(':bestillingId/afslutning')
  @Kommando(200)
  @ApiOperation({ summary: 'Afslut indsats (myndighed)' })
  afslut(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: AfslutIndsatsDto,
  ) {
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'AfslutIndsats', data: { bestillingId, slutdato: body.slutdato, begrundelse: body.begrundelse } },
      { status: 200, id: bestillingId },
    );
  }

  @Post(':bestillingId/delmaal')
  @ApiOperation({ summary: 'Opret delmål under an active indsatsmål (udfører)' })
  @Kommando(201, { ifMatch: false })
  opretDelmaal(
    @UuidParam('bestillingId') bestillingId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: OpretDelmaalDto,
  ) {
    const delmaalId = this.executor.resourceId(req, caller, body.delmaalId, 'delmaalId');
    return this.executor.execute(
      req,
      res,
      caller,
      { type: 'OpretDelmaal', data: { ...body, bestillingId, delmaalId } },
      { status: 201, id: delmaalId, location: `/delmaal/${delmaalId}`, creates: true },
    );
  }
}
