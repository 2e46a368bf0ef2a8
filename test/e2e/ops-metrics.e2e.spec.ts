import { randomUUID } from 'node:crypto';
import { topicNames } from '@hub/relay';
import { ensureTopics, produce } from '@hub/relay/testing/kcat';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { KAFKA_METRIKKER, METRIKKER } from '../../apps/hub/src/ops/metrics';
import { startHub, type RunningHub } from './support/hub';
import { bestilling, vumObservation } from './support/requests';

const sample = (text: string, name: string, labels = ''): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels}`) && !l.startsWith('#'));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('/metrics and /ops after activity', () => {
  let hub: RunningHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.stop());

  it('serves every promised metric, values move, no personal data in /metrics or /ops', async () => {
    const before = await fetch(`${hub.url}/metrics`).then((r) => r.text());
    const head0 = sample(before, 'ffb_hub_log_head_position') as number;
    expect(head0).toBeGreaterThanOrEqual(0);

    const kommune = await hub.token({ party: 'myndighed', id: '0101' });
    const tilbud = await hub.token({ party: 'udfoerer', id: 'tilbud-4711' });
    const body = bestilling({ cpr: '0202704322' });
    const afgiv = await hub.call('POST', '/bestillinger', { token: kommune, body });
    expect(afgiv.status).toBe(201);
    const id: string = afgiv.json.id;
    await hub.call('POST', `/bestillinger/${id}/kvittering`, { token: tilbud, body: { version: 1 } });
    await hub.call('POST', `/bestillinger/${id}/accept`, { token: tilbud, body: {} });
    const vumBody = vumObservation({ borgerTagerIkkeImod: true, paavirkerIndsatsen: false });
    expect(
      (await hub.call('POST', `/bestillinger/${id}/vum-observationer`, { token: tilbud, body: vumBody })).status,
    ).toBe(201);
    const refused = await hub.call('POST', `/bestillinger/${id}/accept`, { token: tilbud, body: {} });
    expect(refused.status).toBeGreaterThanOrEqual(400);

    const text = await eventually(
      () => fetch(`${hub.url}/metrics`).then((r) => r.text()),
      (t) => (sample(t, 'ffb_hub_tilbagemeldingskrav_aabne') ?? 0) >= 1,
      15_000,
      'the rules fire a krav and the read model counts it',
    );
    // Without Kafka the relay's and dead letters' figures are not exported (rather than read 0); every other one has
    // samples.
    for (const name of METRIKKER) {
      const kafka = KAFKA_METRIKKER.includes(name);
      expect([name, text.includes(`# TYPE ${name} `)]).toEqual([name, !kafka]);
      if (!kafka) expect([name, new RegExp(`^${name}(_count)?[{ ]`, 'm').test(text)]).toEqual([name, true]);
    }

    expect(sample(text, 'ffb_hub_log_head_position')).toBeGreaterThanOrEqual(head0 + 4);
    expect(
      sample(text, 'ffb_hub_command_duration_seconds_count', '{command="AfgivBestilling",edge="http",outcome="ok"}'),
    ).toBe(1);
    expect(
      sample(
        text,
        'ffb_hub_command_duration_seconds_count',
        '{command="AccepterBestilling",edge="http",outcome="afvist"}',
      ),
    ).toBe(1);
    expect(
      sample(text, 'ffb_hub_fagsystem_last_seen_seconds', '{party="udfoerer",id="tilbud-4711",kanal="http"}'),
    ).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(text).toMatch(/^ffb_hub_rule_firings_total\{regel="[^"]+"\} [1-9]/m);
    expect(sample(text, 'ffb_hub_up', '{part="read_store"}')).toBe(1);
    expect(sample(text, 'ffb_hub_projection_lag_seconds', '{read_model="sagsoversigt"}')).toBeGreaterThanOrEqual(0);

    const page = await fetch(`${hub.url}/ops`).then((r) => r.text());
    const status = await fetch(`${hub.url}/ops/status.json`).then((r) => r.text());
    expect(JSON.parse(status).head).toBeGreaterThanOrEqual(head0 + 4);
    for (const out of [text, page, status]) {
      expect(out).not.toContain('0202704322');
      for (const free of [
        body.borgerensOensker,
        body.indsatsformaal,
        vumBody.tekst,
        'Social service i Københavns Kommune',
      ])
        expect(out).not.toContain(free as string);
    }
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);

    const health = await hub.call('GET', '/health');
    expect(health.json.parts).toMatchObject({
      readStore: { status: 'ok' },
      api: { status: 'ok' },
      projector: { status: 'ok' },
    });
  });
});

describe('/metrics and /ops with Kafka: the relay, dead letters by code, senders on Kafka', () => {
  const topic = topicNames('').commands({ party: 'udfoerer', id: 'tilbud-4711' });
  let mock: MockKafka;
  let hub: RunningHub;
  beforeAll(async () => {
    mock = await startMockKafka();
    // The consumer finds command topics by pattern when it starts (later ones after a minute).
    await ensureTopics(mock.bootstrap, [topic]);
    hub = await startHub({
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    });
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await mock?.stop();
  });

  it('counts a refused Kafka command by its code, lists it without its body, and shows the relay', async () => {
    const kommune = await hub.token({ party: 'myndighed', id: '0101' });
    expect((await hub.call('POST', '/bestillinger', { token: kommune, body: bestilling() })).status).toBe(201);
    const secret = 'Borgeren hedder Hemmelig Hansen 0303704323';
    await produce(mock.bootstrap, {
      topic,
      key: randomUUID(),
      headers: {
        ce_specversion: '1.0',
        ce_id: randomUUID(),
        ce_type: 'dk.ffb.kommando.accepterbestilling.v1',
        ce_source: 'urn:e2e:fagsystem',
        'content-type': 'application/json',
      },
      value: `{"tekst": "${secret}"`,
    });
    const text = await eventually(
      () => fetch(`${hub.url}/metrics`).then((r) => r.text()),
      (t) =>
        sample(t, 'ffb_hub_dead_letters_total', '{code="KAFKA.UGYLDIG_JSON"}') === 1 &&
        sample(t, 'ffb_hub_relay_lag_events') === 0,
      30_000,
      'the dead letter counted and the relay caught up',
    );
    for (const name of METRIKKER)
      expect([name, new RegExp(`^${name}(_count)?[{ ]`, 'm').test(text)]).toEqual([name, true]);
    expect(sample(text, 'ffb_hub_relay_position')).toBe(await hub.store.headPosition());
    expect(sample(text, 'ffb_hub_relay_lag_seconds')).toBe(0);
    expect(sample(text, 'ffb_hub_relay_records_sent_total')).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'ffb_hub_fagsystem_last_seen_seconds', '{party="udfoerer",id="tilbud-4711",kanal="kafka"}'),
    ).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(
      sample(
        text,
        'ffb_hub_command_duration_seconds_count',
        '{command="AccepterBestilling",edge="kafka",outcome="afvist"}',
      ),
    ).toBe(1);
    const status = await fetch(`${hub.url}/ops/status.json`).then((r) => r.text());
    expect(JSON.parse(status).deadLetters.latest).toEqual([
      expect.objectContaining({
        code: 'KAFKA.UGYLDIG_JSON',
        topic,
        deadLetterTopic: topicNames('').deadLetter({ party: 'udfoerer', id: 'tilbud-4711' }),
      }),
    ]);
    for (const out of [text, status]) {
      expect(out).not.toContain('Hemmelig');
      expect(out).not.toContain('0303704323');
      expect(out).not.toContain('0101704321');
    }
  }, 60_000);
});
