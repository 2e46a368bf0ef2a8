/**
 * Topic names (docs/adr/0006). Outbound topics are per recipient and inbound command topics per sender, so that
 * Kafka prefix ACLs can give each party exactly its own: a kommune reads `ffb.myndighed.<kommunekode>.` and
 * `ffb.dlq.myndighed.<kommunekode>.` and writes `ffb.kommando.myndighed.<kommunekode>.`; a tilbud likewise with
 * `udfoerer.<tilbudId>`. An optional prefix separates environments (e.g. `test.`).
 */

export type Part = 'myndighed' | 'udfoerer';

/** A party's system as Kafka sees it: the party and its kommunekode (myndighed) or tilbudId (udfører). */
export interface PartyRef {
  readonly party: Part;
  readonly id: string;
}

export const TOPIC_VERSION = 'v1';

/** Kafka's topic name limit. */
const MAX_TOPIC_LENGTH = 249;

/** Ids as the domain accepts them: a kommunekode's 4 digits, a tilbudId's letters, digits, "-" and "_". */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * An id as one topic name segment, unchanged, so an operator reads the tilbudId in the topic. The domain refuses any
 * other id (bestilling.decider), and the relay refuses it again here rather than route a message to a lookalike
 * topic: with no "." in a segment, a topic's parts read back unambiguously and no two ids share a topic (nor collide
 * in Kafka's "." vs "_" metric-name check, since only the separators are dots).
 */
export function topicSegment(id: string): string {
  if (!SEGMENT.test(id)) throw new RangeError(`"${id}" cannot name a topic: 1–64 letters, digits, "-" or "_"`);
  return id;
}

export interface TopicNames {
  readonly prefix: string;
  /** Integration events for a party: `ffb.udfoerer.<tilbudId>.v1`, `ffb.myndighed.<kommunekode>.v1`. */
  outbound(recipient: PartyRef): string;
  /** Commands a party sends: `ffb.kommando.<party>.<id>.v1`. */
  commands(sender: PartyRef): string;
  /** Rejected commands of a sender, with the reason in headers: `ffb.dlq.<party>.<id>.v1`. */
  deadLetter(sender: PartyRef): string;
  /** Matches every command topic (with this prefix); the consumer subscribes to what matches. */
  readonly commandPattern: RegExp;
  /** The sender a command topic names, or null for any other topic. */
  parseCommandTopic(topic: string): PartyRef | null;
}

const PREFIX = /^(?:[A-Za-z0-9-]+\.)*$/;

/** Topic names with an environment prefix (`''` or e.g. `test.`; letters, digits, `-`, each part ending in `.`). */
export function topicNames(prefix = ''): TopicNames {
  if (!PREFIX.test(prefix)) {
    throw new RangeError(`A topic prefix is empty or dot-separated parts ending in '.', e.g. "test.", got "${prefix}"`);
  }
  const checked = (topic: string): string => {
    if (topic.length > MAX_TOPIC_LENGTH) throw new RangeError(`Topic name longer than ${MAX_TOPIC_LENGTH}: ${topic}`);
    return topic;
  };
  const escapedPrefix = prefix.replace(/\./g, '\\.');
  const commandPattern = new RegExp(
    `^${escapedPrefix}ffb\\.kommando\\.(?:myndighed\\.(\\d{4})|udfoerer\\.([A-Za-z0-9][A-Za-z0-9_-]{0,63}))\\.${TOPIC_VERSION}$`,
  );
  return {
    prefix,
    outbound: (r) => checked(`${prefix}ffb.${r.party}.${topicSegment(r.id)}.${TOPIC_VERSION}`),
    commands: (s) => checked(`${prefix}ffb.kommando.${s.party}.${topicSegment(s.id)}.${TOPIC_VERSION}`),
    deadLetter: (s) => checked(`${prefix}ffb.dlq.${s.party}.${topicSegment(s.id)}.${TOPIC_VERSION}`),
    commandPattern,
    parseCommandTopic(topic) {
      const match = commandPattern.exec(topic);
      if (!match) return null;
      return match[1] ? { party: 'myndighed', id: match[1] } : { party: 'udfoerer', id: match[2] as string };
    },
  };
}

/** `udfoerer:tilbud-4711`, `myndighed:0101`: how sender and recipient appear in the CloudEvents extensions. */
export const partyLabel = (ref: PartyRef): string => `${ref.party}:${ref.id}`;
