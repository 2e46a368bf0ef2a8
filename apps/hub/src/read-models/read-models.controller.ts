import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { forslagTilStatus, DomainError, Fejlkode } from '@hub/domain';
import { analyseQueries, pligtQueries, queries } from '@hub/read-models';
import { Fritekst } from '@hub/privacy';
import { Caller } from '../auth/auth.guard';
import { Parties } from '../auth/parties';
import type { Principal } from '../auth/token-verifier';
import { ProblemDto } from '../http/openapi.dto';
import { UuidParam } from '../http/uuid.pipe';
import { FritekstAabnet } from '../http/fritekst.interceptor';
import { ReadSide } from './read-side';
import {
  BestillingerQuery,
  FristerQuery,
  MaalopfyldelseQuery,
  ObservationerQuery,
  PeriodeQuery,
  TilbagemeldingerQuery,
  UdfoererBestillingerQuery,
} from './read-models.dto';
import {
  OverholdelseQuery,
  OverholdelseRapportDto,
  PaamindelseDto,
  PaamindelserQuery,
  TilbagemeldingskravDto,
  TilbagemeldingskravQuery,
} from './tilbagemeldingspligt.dto';

const LIST = { schema: { type: 'array', items: { type: 'object' } } } as const;
const OBJECT = { schema: { type: 'object' } } as const;
const plus30 = (idag: string) => new Date(Date.parse(idag) + 30 * 86_400_000).toISOString().slice(0, 10);
const ukendt = () =>
  new DomainError('not_found', [
    { code: Fejlkode.bestillingFindesIkke, message: "no such bestilling among the caller's", field: 'bestillingId' },
  ]);

@ApiTags('myndighed')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ProblemDto })
@ApiResponse({ status: 403, type: ProblemDto, description: 'The udfører calls the myndighed view' })
@Controller('myndighed')
export class MyndighedController {
  constructor(private readonly reads: ReadSide) {}

  @Get('bestillinger')
  @ApiOperation({ summary: "The kommune's bestillinger with their state" })
  @ApiOkResponse(LIST)
  async bestillinger(@Caller() caller: Principal, @Query() q: BestillingerQuery) {
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    return queries.bestillinger(this.reads.db, t, this.reads.scope(caller, 'myndighed'), q);
  }

  @Get('bestillinger/:bestillingId')
  @ApiOperation({
    summary: 'One indsats: per indsatsmål its delmål, latest evaluering and status; opfølgninger, tilbagemeldinger',
  })
  @ApiOkResponse(OBJECT)
  @ApiResponse({ status: 404, type: ProblemDto })
  async indsats(@Caller() caller: Principal, @UuidParam('bestillingId') id: string) {
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    return (
      (await queries.indsats(this.reads.db, t, this.reads.scope(caller, 'myndighed'), id, this.reads.idag())) ??
      Promise.reject(ukendt())
    );
  }

  @Get('tilbagemeldinger')
  @ApiOperation({ summary: 'The tilbagemelding inbox: open or kvitteret' })
  @ApiOkResponse(LIST)
  async tilbagemeldinger(@Caller() caller: Principal, @Query() q: TilbagemeldingerQuery) {
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    return queries.tilbagemeldinger(this.reads.db, t, this.reads.scope(caller, 'myndighed'), q.status, q);
  }

  @Get('opfoelgninger')
  @ApiOperation({ summary: 'Opfølgninger due up to a date, and those overdue (forfalden)' })
  @ApiOkResponse(LIST)
  async opfoelgninger(@Caller() caller: Principal, @Query() q: FristerQuery) {
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    const idag = this.reads.idag();
    return queries.frister(this.reads.db, t, this.reads.scope(caller, 'myndighed'), idag, q.til ?? plus30(idag));
  }

  @Get('andre-indsatsomraader')
  @ApiOperation({ summary: 'Observations on undertemaer no active indsatsmål covered (reference.md §4.5, Q-A10)' })
  @ApiOkResponse(LIST)
  async andreIndsatsomraader(@Caller() caller: Principal, @Query() q: PeriodeQuery) {
    const t = await this.reads.tables(this.reads.models.observationer);
    return queries.soegObservationer(this.reads.db, t, this.reads.scope(caller, 'myndighed'), {
      ...q,
      udenForIndsatsmaal: true,
    });
  }

  @Get('tilbagemeldingskrav')
  @ApiOperation({
    summary: "The kommune's tilbagemeldingskrav: open, met or lapsed; an open one past its frist is overskredet",
  })
  @ApiOkResponse({ type: TilbagemeldingskravDto, isArray: true })
  async tilbagemeldingskrav(@Caller() caller: Principal, @Query() q: TilbagemeldingskravQuery) {
    const t = await this.reads.tables(this.reads.models.tilbagemeldingspligt);
    return pligtQueries.tilbagemeldingskrav(
      this.reads.db,
      t,
      this.reads.scope(caller, 'myndighed'),
      this.reads.idag(),
      q,
    );
  }

  @Get('paamindelser')
  @ApiOperation({ summary: 'Påmindelser addressed to the myndighed: open or afsluttet' })
  @ApiOkResponse({ type: PaamindelseDto, isArray: true })
  async paamindelser(@Caller() caller: Principal, @Query() q: PaamindelserQuery) {
    const t = await this.reads.tables(this.reads.models.tilbagemeldingspligt);
    return pligtQueries.paamindelser(this.reads.db, t, this.reads.scope(caller, 'myndighed'), q);
  }

  @Get('tilbagemeldingspligt/overholdelse')
  @ApiOperation({
    summary: 'Tilbagemeldingspligt compliance (Q-A11): per trigger, in total and per tilbud; median days to opfyldt',
  })
  @ApiOkResponse({ type: OverholdelseRapportDto })
  async overholdelse(@Caller() caller: Principal, @Query() q: OverholdelseQuery) {
    const t = await this.reads.tables(this.reads.models.tilbagemeldingspligt);
    return pligtQueries.overholdelse(this.reads.db, t, this.reads.scope(caller, 'myndighed'), this.reads.idag(), q);
  }
}

@ApiTags('udfoerer')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ProblemDto })
@ApiResponse({ status: 403, type: ProblemDto, description: 'The myndighed calls the udfører view' })
@Controller('udfoerer')
export class UdfoererController {
  constructor(
    private readonly reads: ReadSide,
    private readonly fritekst: Fritekst,
  ) {}

  @Get('bestillinger')
  @ApiOperation({ summary: "The tilbud's bestillinger; afventer=kvittering|accept for what awaits it" })
  @ApiOkResponse(LIST)
  async bestillinger(@Caller() caller: Principal, @Query() q: UdfoererBestillingerQuery) {
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    return queries.bestillinger(this.reads.db, t, this.reads.scope(caller, 'udfoerer'), q);
  }

  @Get('indsatser')
  @ApiOperation({
    summary: 'Running indsatser with indsatsmål and delmål; delmål past evalueringsdato gul, past slutdato roed',
  })
  @ApiOkResponse(LIST)
  async indsatser(@Caller() caller: Principal, @Query() q: BestillingerQuery) {
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    return queries.aktiveIndsatser(this.reads.db, t, this.reads.scope(caller, 'udfoerer'), this.reads.idag(), q);
  }

  @Get('frister')
  @ApiOperation({
    summary: 'What falls due before each next opfølgningsdato: opfølgning, delmål evalueringer and slutdatoer',
  })
  @ApiOkResponse(LIST)
  async frister(@Caller() caller: Principal, @Query() q: FristerQuery) {
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    const idag = this.reads.idag();
    return queries.frister(this.reads.db, t, this.reads.scope(caller, 'udfoerer'), idag, q.til ?? plus30(idag));
  }

  @Get('bestillinger/:bestillingId/status-forslag')
  @FritekstAabnet()
  @ApiOperation({ summary: 'A status draft: per active indsatsmål the konklusioner of its delmål, to edit and send' })
  @ApiOkResponse(LIST)
  @ApiResponse({ status: 404, type: ProblemDto })
  async statusForslag(@Caller() caller: Principal, @UuidParam('bestillingId') id: string) {
    const t = await this.reads.tables(this.reads.models.sagsoversigt);
    const stored = await queries.indsats(this.reads.db, t, this.reads.scope(caller, 'udfoerer'), id, this.reads.idag());
    if (!stored) throw ukendt();
    // The draft joins texts into new ones: open them first (an erased borger's read [slettet]).
    const doc = await this.fritekst.afsloer(stored);
    return forslagTilStatus(
      doc,
      doc.delmaal.map((d) => ({
        indsatsmaalId: d.indsatsmaalId,
        navn: d.navn,
        konklusion: d.senesteEvaluering?.konklusion ?? null,
      })),
    );
  }

  @Get('tilbagemeldingskrav')
  @ApiOperation({
    summary: "The tilbud's tilbagemeldingskrav: open, met or lapsed; an open one past its frist is overskredet",
  })
  @ApiOkResponse({ type: TilbagemeldingskravDto, isArray: true })
  async tilbagemeldingskrav(@Caller() caller: Principal, @Query() q: TilbagemeldingskravQuery) {
    const t = await this.reads.tables(this.reads.models.tilbagemeldingspligt);
    return pligtQueries.tilbagemeldingskrav(
      this.reads.db,
      t,
      this.reads.scope(caller, 'udfoerer'),
      this.reads.idag(),
      q,
    );
  }

  @Get('paamindelser')
  @ApiOperation({ summary: 'Påmindelser addressed to the udfører: open or afsluttet' })
  @ApiOkResponse({ type: PaamindelseDto, isArray: true })
  async paamindelser(@Caller() caller: Principal, @Query() q: PaamindelserQuery) {
    const t = await this.reads.tables(this.reads.models.tilbagemeldingspligt);
    return pligtQueries.paamindelser(this.reads.db, t, this.reads.scope(caller, 'udfoerer'), q);
  }

  @Get('tilbagemeldingspligt/overholdelse')
  @ApiOperation({
    summary: 'Tilbagemeldingspligt compliance (Q-A11): per trigger and in total; median days to opfyldt',
  })
  @ApiOkResponse({ type: OverholdelseRapportDto })
  async overholdelse(@Caller() caller: Principal, @Query() q: OverholdelseQuery) {
    const t = await this.reads.tables(this.reads.models.tilbagemeldingspligt);
    return pligtQueries.overholdelse(this.reads.db, t, this.reads.scope(caller, 'udfoerer'), this.reads.idag(), q);
  }
}

@ApiTags('observationer')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ProblemDto })
@Controller('observationer')
export class ObservationerController {
  constructor(private readonly reads: ReadSide) {}

  @Get()
  @ApiOperation({
    summary:
      'Search delmåls- and VUM-observationer by kategori, overtema or undertema, period, borger and tilbud (own ones only)',
  })
  @ApiOkResponse(LIST)
  async soeg(@Caller() caller: Principal, @Query() q: ObservationerQuery) {
    const t = await this.reads.tables(this.reads.models.observationer);
    return queries.soegObservationer(this.reads.db, t, this.reads.scope(caller), q);
  }
}

@ApiTags('analyse')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: ProblemDto })
@ApiResponse({ status: 403, type: ProblemDto, description: 'Neither the myndighed nor the analytiker' })
@Parties('myndighed', 'analytiker')
@Controller('analyse')
export class AnalyseController {
  constructor(private readonly reads: ReadSide) {}

  private async opts(caller: Principal) {
    return { kommunekode: this.reads.analyseKommune(caller), minGruppe: this.reads.minGruppe };
  }

  @Get('maalopfyldelse')
  @ApiOperation({ summary: 'Q-A3: målopfyldelse per undertema or tilbud; small groups suppressed' })
  @ApiOkResponse(LIST)
  async maalopfyldelse(@Caller() caller: Principal, @Query() q: MaalopfyldelseQuery) {
    const t = await this.reads.tables(this.reads.models.analyse);
    return analyseQueries.maalopfyldelse(
      this.reads.db,
      t,
      await this.opts(caller),
      q.gruppering === 'tilbud' ? 'tilbud_id' : 'undertema',
    );
  }

  @Get('opfoelgningsudfald')
  @ApiOperation({ summary: 'Q-A5: status på indsats after opfølgning per tilbudstype; median days to afslutning' })
  @ApiOkResponse(LIST)
  async opfoelgningsudfald(@Caller() caller: Principal) {
    return analyseQueries.opfoelgningsudfald(
      this.reads.db,
      await this.reads.tables(this.reads.models.analyse),
      await this.opts(caller),
    );
  }

  @Get('nye-behov')
  @ApiOperation({ summary: 'Q-A10: VUM-observationer on undertemaer no active indsatsmål covers, per tilbud' })
  @ApiOkResponse(LIST)
  async nyeBehov(@Caller() caller: Principal) {
    return analyseQueries.nyeBehov(
      this.reads.db,
      await this.reads.tables(this.reads.models.observationer),
      await this.opts(caller),
    );
  }

  @Get('tilbagemeldinger')
  @ApiOperation({ summary: 'Q-A11: tilbagemeldinger per trigger, tilbud and måltype; median hours to kvittering' })
  @ApiOkResponse(LIST)
  async tilbagemeldinger(@Caller() caller: Principal) {
    return analyseQueries.tilbagemeldingsanalyse(
      this.reads.db,
      await this.reads.tables(this.reads.models.analyse),
      await this.opts(caller),
    );
  }

  @Get('dokumentation')
  @ApiOperation({ summary: 'Q-A12: documentation fidelity per tilbud' })
  @ApiOkResponse(LIST)
  async dokumentation(@Caller() caller: Principal) {
    return analyseQueries.dokumentation(
      this.reads.db,
      await this.reads.tables(this.reads.models.analyse),
      await this.opts(caller),
    );
  }

  @Get('indsatsmaal.ndjson')
  @ApiOperation({ summary: 'The pseudonymised outcome data set, one line per indsatsmål' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ schema: { type: 'string' } })
  async ndjson(@Caller() caller: Principal, @Res() res: Response) {
    const t = await this.reads.tables(this.reads.models.analyse);
    const { kommunekode } = await this.opts(caller);
    res.type('application/x-ndjson');
    for await (const row of analyseQueries.udtraek(this.reads.db, t, kommunekode))
      res.write(`${JSON.stringify(row)}\n`);
    res.end();
  }

  @Get('indsatsmaal.csv')
  @ApiOperation({ summary: 'The pseudonymised outcome data set as CSV' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ schema: { type: 'string' } })
  async csv(@Caller() caller: Principal, @Res() res: Response) {
    const t = await this.reads.tables(this.reads.models.analyse);
    const { kommunekode } = await this.opts(caller);
    res.type('text/csv; charset=utf-8');
    let header: string[] | undefined;
    for await (const row of analyseQueries.udtraek(this.reads.db, t, kommunekode)) {
      if (!header) {
        header = Object.keys(row);
        res.write(`${analyseQueries.csvLinje(header)}\n`);
      }
      res.write(`${analyseQueries.csvLinje(header.map((k) => row[k]))}\n`);
    }
    res.end();
  }
}
