export { openSqliteReadDb, openPostgresReadDb, type ReadDb } from './read-db';
export type { ReadModel, Tables } from './read-model';
export { Projector, positionAt, type ReadModelStatus } from './projector';
export { CheckpointMovedError, liveGeneration } from './generations';
export { sagsoversigt, afventer } from './sagsoversigt.read-model';
export { observationer, type ObservationDoc } from './observationer.read-model';
export { analyse, maalopfyldelse, type Maalopfyldelse } from './analyse.read-model';
export { tilbagemeldingspligt, evolvePligt, type KravDoc, type PligtDoc } from './tilbagemeldingspligt.read-model';
export type { IndsatsDoc, IndsatsmaalDoc, DelmaalDoc, TilbagemeldingDoc } from './indsats-doc';
export { LiveTables } from './live-tables';
export * as queries from './queries';
export * as analyseQueries from './analyse.queries';
export * as pligtQueries from './tilbagemeldingspligt.queries';
export type { Scope, Frist, Markering, BestillingOversigt, ObservationFilter } from './queries';
export type {
  KravListe,
  PaamindelseListe,
  Overholdelse,
  OverholdelseRapport,
  OverholdelseFilter,
} from './tilbagemeldingspligt.queries';
