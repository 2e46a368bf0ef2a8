export * from './ffb/katalog';
export * from './shared/errors';
export * from './shared/decider';
export { erDato, datoAf } from './shared/dates';
export { erGyldigtCpr, kontrollerCpr, normaliserCpr } from './shared/cpr';
export { erUuid, erTidspunkt } from './shared/validering';
export * from './konfiguration';
export * from './upcasting';
export * from './bestilling/bestilling.events';
export * from './bestilling/bestilling.commands';
export type {
  BestillingState,
  BestillingFindes,
  BestillingFase,
  IndsatsmaalTilstand,
} from './bestilling/bestilling.state';
export { aktiveIndsatsmaal } from './bestilling/bestilling.state';
export * as bestilling from './bestilling/bestilling.decider';
export { toBestillingStreamId, type BestillingOpslag } from './bestilling/bestilling.decider';
export { forslagTilStatus } from './bestilling/status-forslag';
export * from './delmaal/delmaal.events';
export type { DelmaalState, DelmaalFindes, Evaluering } from './delmaal/delmaal.decider';
export * as delmaal from './delmaal/delmaal.decider';
export { toDelmaalStreamId } from './delmaal/delmaal.decider';
export * from './tilbagemeldingspligt/pligt.events';
export type { PligtState, KravTilstand } from './tilbagemeldingspligt/pligt.decider';
export * as pligt from './tilbagemeldingspligt/pligt.decider';
export { toPligtStreamId, aabentKravSomDette, erAabent } from './tilbagemeldingspligt/pligt.decider';
export { bestillingFolding, delmaalFolding, pligtFolding } from './foldings';
export * from './borger/borger.events';
export { FRITEKST_FELTER, medFritekst, type FritekstFelter } from './fritekst';
