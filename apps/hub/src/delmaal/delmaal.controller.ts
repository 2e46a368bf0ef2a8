import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError, Fejlkode } from '@hub/domain';
import { Caller } from '../auth/auth.guard';
import type { Principal } from '../auth/token-verifier';
import { CommandService } from '../commands/command-service';
import { assertScope } from '../commands/access';
import * as build from '../commands/command-builders';
import { CommandExecutor, etag } from '../http/command-executor';
import { DelmaalTilstandDto, Kommando, ProblemDto, commandHeaders } from '../http/openapi.dto';
import { UuidParam } from '../http/uuid.pipe';
import { AfslutDelmaalDto, DelmaalsobservationDto, EvaluerDelmaalDto } from './delmaal.dto';

@ApiTags('delmaal')
@ApiBearerAuth()
@ApiHeader(commandHeaders.idempotencyKey)
@ApiResponse({ status: 400, type: ProblemDto })
@ApiResponse({ status: 401, type: ProblemDto })
@ApiResponse({ status: 403, type: ProblemDto })
@ApiResponse({ status: 404, type: ProblemDto })
@ApiResponse({ status: 409, type: ProblemDto })
@ApiResponse({ status: 422, type: ProblemDto })
@Controller('delmaal')
export class DelmaalController {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandService,
  ) {}

  @Get(':delmaalId')
  @ApiOperation({ summary: 'The current state of a delmål' })
  @ApiResponse({ status: 200, type: DelmaalTilstandDto, description: 'ETag is the stream revision' })
  async hent(
    @UuidParam('delmaalId') delmaalId: string,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { state, revision } = await this.commands.delmaal(delmaalId);
    if (state.fase === 'ingen')
      throw new DomainError('not_found', [
        { code: Fejlkode.delmaalFindesIkke, message: `delmål ${delmaalId} does not exist` },
      ]);
    assertScope(caller, state);
    res.setHeader('ETag', etag(revision));
    return { ...state, revision };
  }

  @Post(':delmaalId/observationer')
  @ApiOperation({ summary: 'Registrer delmålsobservation (udfører)' })
  @Kommando(201)
  observation(
    @UuidParam('delmaalId') delmaalId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: DelmaalsobservationDto,
  ) {
    const command = build.registrerDelmaalsobservation(delmaalId, body, this.executor.idFor(req, caller));
    return this.executor.execute(req, res, caller, command, { status: 201, id: command.data.observationId });
  }

  @Post(':delmaalId/evalueringer')
  @ApiOperation({ summary: 'Evaluer delmål (udfører)' })
  @Kommando(201)
  evaluer(
    @UuidParam('delmaalId') delmaalId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: EvaluerDelmaalDto,
  ) {
    const command = build.evaluerDelmaal(delmaalId, body, this.executor.idFor(req, caller));
    return this.executor.execute(req, res, caller, command, { status: 201, id: command.data.evalueringId });
  }

  @Post(':delmaalId/afslutning')
  @Kommando(200)
  @ApiOperation({ summary: 'Afslut delmål (udfører)' })
  afslut(
    @UuidParam('delmaalId') delmaalId: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
    @Body() body: AfslutDelmaalDto,
  ) {
    return this.executor.execute(req, res, caller, build.afslutDelmaal(delmaalId, body), {
      status: 200,
      id: delmaalId,
    });
  }
}
