export { evaluator, tilRegelEvent, UlaesbarHaendelseError, type Affyring, type Evaluator } from './evaluering';
export { Bygger, plusDage, regelId, REGEL_ID_NAMESPACE, type Regel, type RegelInput, type Udfald } from './regel';
export { foldRegel, type RegelDoc, type RegelEvent } from './regel-tilstand';
export { REGLER } from './regler';
export { SqliteRuleState, type FristRow, type FristStatus, type RuleStateStatus } from './rule-state.sqlite';
export { RulesWorker, type RulesStatus, type RulesWorkerOptions } from './rules-worker';
