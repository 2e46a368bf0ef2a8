export { evaluator, tilRegelEvent, UlaesbarHaendelseError, type Affyring, type Evaluator } from './evaluering';
export { Bygger, plusDage, regelId, REGEL_ID_NAMESPACE, type Regel, type RegelInput, type Udfald } from './regel';
export { foldRegel, type RegelDoc, type RegelEvent } from './regel-tilstand';
export { REGLER } from './regler';
export type {
  Beslutning,
  FristRow,
  FristStatus,
  RuleStateCheckpoint,
  RuleStateStatus,
  RuleStateStore,
  UdbakkeRow,
} from './rule-state';
export { openPostgresRuleState, PostgresRuleState, type PostgresRuleStateOptions } from './rule-state.postgres';
export { SqliteRuleState } from './rule-state.sqlite';
export { RulesWorker, type RulesStatus, type RulesWorkerOptions } from './rules-worker';
