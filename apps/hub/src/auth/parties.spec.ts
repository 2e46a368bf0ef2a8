import { assertParty, assertScope, COMMAND_PARTY } from '../commands/access';
import type { HubCommand } from '../commands/command-service';
import { assertRouteParty } from './parties';
import { principalFromClaims } from './token-verifier';

const scope = { kommunekode: '0101', tilbudId: 'tilbud-4711' };

describe('the parties in the token claims', () => {
  it.each([
    [
      { party: 'myndighed', kommunekode: '0101' },
      { party: 'myndighed', kommunekode: '0101' },
    ],
    [
      { party: 'udfoerer', tilbudId: 'tilbud-4711' },
      { party: 'udfoerer', tilbudId: 'tilbud-4711' },
    ],
    [
      { party: 'analytiker', kommunekode: '0101' },
      { party: 'analytiker', kommunekode: '0101' },
    ],
    [{ party: 'drift' }, { party: 'drift' }],
    // drift carries no scope: a scope claim on its token is not taken over.
    [{ party: 'drift', kommunekode: '0101', tilbudId: 't' }, { party: 'drift' }],
  ])('%j is the principal %j', (claims, principal) => {
    expect(principalFromClaims({ sub: 's', ...claims })).toEqual({ subject: 's', ...principal });
  });

  it.each([
    [{ party: 'analytiker' }, 'the analytiker token needs a 4-digit kommunekode'],
    [{ party: 'analytiker', kommunekode: '101' }, 'the analytiker token needs a 4-digit kommunekode'],
    [{ party: 'revisor', kommunekode: '0101' }, 'the token party must be'],
  ])('%j is refused (401 AUTH.UGYLDIGE_CLAIMS)', (claims, detail) => {
    expect(() => principalFromClaims({ sub: 's', ...claims })).toThrow(
      expect.objectContaining({ status: 401, code: 'AUTH.UGYLDIGE_CLAIMS', message: expect.stringContaining(detail) }),
    );
  });
});

describe('what the analytiker and drift may do', () => {
  it('a route admits the myndighed and the udfører unless it names its parties', () => {
    expect(() => assertRouteParty('myndighed')).not.toThrow();
    expect(() => assertRouteParty('udfoerer')).not.toThrow();
    for (const party of ['analytiker', 'drift'] as const)
      expect(() => assertRouteParty(party)).toThrow(expect.objectContaining({ code: 'ADGANG.FORKERT_PART' }));
    expect(() => assertRouteParty('analytiker', ['myndighed', 'analytiker'])).not.toThrow();
    expect(() => assertRouteParty('udfoerer', ['myndighed', 'analytiker'])).toThrow(
      expect.objectContaining({ code: 'ADGANG.FORKERT_PART' }),
    );
  });

  it('sends no command and sees no bestilling, not even of its own kommune', () => {
    const commands = Object.keys(COMMAND_PARTY) as HubCommand['type'][];
    for (const actor of [
      { party: 'analytiker', subject: 'a', kommunekode: '0101' },
      { party: 'drift', subject: 'd' },
    ] as const) {
      for (const command of commands)
        expect(() => assertParty(actor, command)).toThrow(expect.objectContaining({ code: 'ADGANG.FORKERT_PART' }));
      expect(() => assertScope(actor, scope)).toThrow(expect.objectContaining({ code: 'ADGANG.FORKERT_PART' }));
    }
  });
});
