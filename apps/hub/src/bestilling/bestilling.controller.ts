import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError, Fejlkode } from '@hub/domain';
import type { PiiVault } from '@hub/privacy';
import { Caller } from '../auth/auth.guard';
import type { Principal } from '../auth/token-verifier';
import { CommandService } from '../commands/command-service';
import { assertScope } from '../commands/access';
import * as build from '../commands/command-builders';
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
import { forberedAfgivelse } from './afgivelse';

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
    const { bestillingId, command, beforeAppend } = await forberedAfgivelse(
      this.vault,
      body,
      this.executor.idFor(req, caller),
    );
    await this.executor.execute(req, res, caller, command, {
      status: 201,
      id: bestillingId,
      location: `/bestillinger/${bestillingId}`,
      creates: true,
      // The borger enters the vault only once the bestilling is known to be accepted.
      beforeAppend,
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
    const command = build.aendrBestilling(bestillingId, body, this.executor.idFor(req, caller));
    return this.executor.execute(req, res, caller, command, { status: 200, id: bestillingId });
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
    return this.executor.execute(req, res, caller, build.annullerBestilling(bestillingId, body), {
      status: 200,
      id: bestillingId,
    });
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
    return this.executor.execute(req, res, caller, build.kvitterBestilling(bestillingId, body), {
      status: 200,
      id: bestillingId,
    });
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
    return this.executor.execute(req, res, caller, build.accepterBestilling(bestillingId, body), {
      status: 200,
      id: bestillingId,
    });
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
    return this.executor.execute(req, res, caller, build.afvisBestilling(bestillingId, body), {
      status: 200,
      id: bestillingId,
    });
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
    const command = build.registrerVumObservation(bestillingId, body, this.executor.idFor(req, caller));
    return this.executor.execute(req, res, caller, command, { status: 201, id: command.data.observationId });
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
    const command = build.sendStatus(bestillingId, body, this.executor.idFor(req, caller));
    return this.executor.execute(req, res, caller, command, { status: 201, id: command.data.statusId });
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
    const command = build.sendTilbagemelding(bestillingId, body, this.executor.idFor(req, caller));
    return this.executor.execute(req, res, caller, command, { status: 201, id: command.data.tilbagemeldingId });
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
    const command = build.kvitterTilbagemelding(bestillingId, tilbagemeldingId, body);
    return this.executor.execute(req, res, caller, command, { status: 200, id: tilbagemeldingId });
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
    const command = build.gennemfoerOpfoelgning(bestillingId, body, this.executor.idFor(req, caller));
    return this.executor.execute(req, res, caller, command, { status: 201, id: command.data.opfoelgningId });
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
    return this.executor.execute(req, res, caller, build.afslutIndsats(bestillingId, body), {
      status: 200,
      id: bestillingId,
    });
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
    const command = build.opretDelmaal(bestillingId, body, this.executor.idFor(req, caller));
    const { delmaalId } = command.data;
    return this.executor.execute(req, res, caller, command, {
      status: 201,
      id: delmaalId,
      location: `/delmaal/${delmaalId}`,
      creates: true,
    });
  }
}
