/** Errors every event store adapter raises with the same stable `code` (the contract suite checks them). */
export class EventStoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the expected revision. The edge maps it to 409 (or 412 for If-Match). */
export class WrongExpectedRevisionError extends EventStoreError {
  static readonly code = 'EVENT_STORE.WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: number,
  ) {
    super(WrongExpectedRevisionError.code, `Stream ${streamId} is at revision ${actual}, expected ${expected}`, {
      streamId,
      expected,
      actual,
    });
  }
}

/** Some, not all, event ids of an append are stored already, or they are stored in another stream. */
export class DuplicateEventIdError extends EventStoreError {
  static readonly code = 'EVENT_STORE.DUPLICATE_EVENT_ID';
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(DuplicateEventIdError.code, `Event ${eventId} is stored already, and not as this append to ${streamId}`, {
      streamId,
      eventId,
    });
  }
}

/** The append was malformed (empty stream id, bad event id, a dashed category, ...). */
export class InvalidAppendError extends EventStoreError {
  static readonly code = 'EVENT_STORE.INVALID_APPEND';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(InvalidAppendError.code, message, details);
  }
}

/** The store cannot be written (disk full, read-only directory, closed store). */
export class StoreUnavailableError extends EventStoreError {
  static readonly code = 'EVENT_STORE.UNAVAILABLE';
  constructor(message: string, cause?: unknown) {
    super(StoreUnavailableError.code, message);
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}
