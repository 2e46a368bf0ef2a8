import { createHash } from 'node:crypto';

/**
 * The /ops page: one HTML document with inline CSS, JS and SVG, no external assets. It reads /ops/stroem
 * (server-sent events, one snapshot a second) and draws the figures; every value is set as text, never as HTML.
 */
export const OPS_PAGE = `<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Samspil Hub – drift</title>
<style>
  :root { --bg:#f5f6f8; --kort:#fff; --tekst:#1d2330; --svag:#5b6475; --ok:#1a7f37; --fejl:#c62828; --adv:#b26a00; --linje:#2f6feb; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--tekst); }
  header { display:flex; align-items:baseline; gap:1rem; padding:.8rem 1.2rem; background:#1d2330; color:#fff; }
  header h1 { font-size:1.15rem; margin:0; }
  header .status { margin-left:auto; font-size:.9rem; }
  main { display:grid; grid-template-columns:repeat(auto-fill, minmax(330px, 1fr)); gap:.8rem; padding:1rem 1.2rem; }
  section { min-width:0; overflow-x:auto; background:var(--kort); border-radius:8px; padding:.8rem 1rem; box-shadow:0 1px 2px rgba(0,0,0,.08); }
  section.bred { grid-column:1/-1; }
  h2 { font-size:.95rem; margin:0 0 .5rem; color:var(--svag); font-weight:600; }
  .tal { font-size:1.9rem; font-weight:700; font-variant-numeric:tabular-nums; }
  .lille { color:var(--svag); font-size:.85rem; }
  table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
  th, td { text-align:left; padding:.2rem .3rem; border-bottom:1px solid #e6e8ec; font-size:.85rem; }
  th { color:var(--svag); font-weight:600; }
  .ok { color:var(--ok); } .fejl { color:var(--fejl); } .adv { color:var(--adv); }
  .prik { display:inline-block; width:.6rem; height:.6rem; border-radius:50%; margin-right:.3rem; }
  svg.spark { width:100%; height:44px; display:block; margin-top:.3rem; }
  .tom { color:var(--svag); font-style:italic; }
</style>
</head>
<body>
<header><h1>Samspil Hub – drift</h1><span class="lille" id="tid">venter på data …</span><span class="status" id="forbindelse">forbinder …</span></header>
<main>
  <section><h2>Dele</h2><div id="dele"></div></section>
  <section><h2>Hændelser i loggen</h2><div class="tal" id="head">–</div><div class="lille"><span id="rate">–</span> hændelser/min (seneste minutter)</div><svg class="spark" id="spark-head" viewBox="0 0 200 40" preserveAspectRatio="none"></svg></section>
  <section><h2>Kommandoer</h2><div class="tal" id="kommandoer">–</div><div class="lille">godkendt <span id="k-ok">–</span> · afvist <span id="k-afvist">–</span> · fejl <span id="k-fejl">–</span> · gns. <span id="k-gns">–</span> ms</div><svg class="spark" id="spark-kommandoer" viewBox="0 0 200 40" preserveAspectRatio="none"></svg></section>
  <section><h2>Læsemodeller – efterslæb</h2><table><thead><tr><th>læsemodel</th><th>position</th><th>bagud</th><th>sek.</th></tr></thead><tbody id="projektioner"></tbody></table><svg class="spark" id="spark-projektion" viewBox="0 0 200 40" preserveAspectRatio="none"></svg></section>
  <section><h2>Relay (Kafka)</h2><div id="relay"></div><svg class="spark" id="spark-relay" viewBox="0 0 200 40" preserveAspectRatio="none"></svg></section>
  <section><h2>Tilbagemeldingspligt</h2><table><tbody>
    <tr><th>åbne tilbagemeldinger (ikke kvitteret)</th><td id="t-aabne">–</td></tr>
    <tr><th>åbne tilbagemeldingskrav</th><td id="krav-aabne">–</td></tr>
    <tr><th>overskredne tilbagemeldingskrav</th><td id="krav-over">–</td></tr>
    <tr><th>frister der afventer</th><td id="frister-afventer">–</td></tr>
    <tr><th>forfaldne frister</th><td id="frister-forfaldne">–</td></tr>
    <tr><th>reglernes efterslæb (hændelser)</th><td id="regler-lag">–</td></tr>
  </tbody></table></section>
  <section><h2>Regelaffyringer</h2><table><thead><tr><th>regel</th><th>antal</th></tr></thead><tbody id="affyringer"></tbody></table></section>
  <section class="bred"><h2>Dead letters</h2><div class="lille" id="dl-koder"></div><table><thead><tr><th>tid</th><th>kode</th><th>felter</th><th>emne (topic)</th><th>type</th><th>forsøg</th></tr></thead><tbody id="deadletters"></tbody></table></section>
  <section class="bred"><h2>Overskredne tilbagemeldingskrav</h2><table><thead><tr><th>kommune</th><th>tilbud</th><th>trigger</th><th>niveau</th><th>frist</th></tr></thead><tbody id="overskredne"></tbody></table></section>
  <section class="bred"><h2>Fagsystemer – seneste besked</h2><table><thead><tr><th>part</th><th>id</th><th>kanal</th><th>senest</th><th>siden</th></tr></thead><tbody id="fagsystemer"></tbody></table></section>
</main>
<script>
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var tal = function (v, d) { return v === undefined || v === null ? '–' : Number(v).toLocaleString('da-DK', { maximumFractionDigits: d || 0 }); };
  var saet = function (id, v, d) { $(id).textContent = tal(v, d); };
  function raekker(id, rows, tomTekst, cols) {
    var tb = $(id); while (tb.firstChild) tb.removeChild(tb.firstChild);
    if (!rows.length) { var tr = document.createElement('tr'); var td = document.createElement('td'); td.colSpan = cols; td.className = 'tom'; td.textContent = tomTekst; tr.appendChild(td); tb.appendChild(tr); return; }
    rows.forEach(function (r) { var tr = document.createElement('tr'); r.forEach(function (c) { var td = document.createElement('td'); if (c && typeof c === 'object') { td.textContent = c.t; td.className = c.k; } else td.textContent = c; tr.appendChild(td); }); tb.appendChild(tr); });
  }
  function spark(id, punkter) {
    var svg = $(id); while (svg.firstChild) svg.removeChild(svg.firstChild);
    var v = punkter.filter(function (p) { return p !== null && p !== undefined; });
    if (v.length < 2) return;
    var min = Math.min.apply(null, v), max = Math.max.apply(null, v), span = max - min || 1;
    var d = v.map(function (y, i) { return (i * 200 / (v.length - 1)).toFixed(1) + ',' + (38 - (y - min) * 36 / span).toFixed(1); }).join(' ');
    var pl = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    pl.setAttribute('points', d); pl.setAttribute('fill', 'none'); pl.setAttribute('stroke', 'var(--linje)'); pl.setAttribute('stroke-width', '1.5'); pl.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.appendChild(pl);
  }
  var tidDa = function (s) { var d = new Date(s); return isNaN(d) ? String(s) : d.toLocaleString('da-DK'); };
  function vis(s) {
    $('tid').textContent = 'opdateret ' + tidDa(s.tid);
    var dele = $('dele'); while (dele.firstChild) dele.removeChild(dele.firstChild);
    Object.keys(s.dele).forEach(function (k) { var div = document.createElement('div'); var prik = document.createElement('span'); prik.className = 'prik'; prik.style.background = s.dele[k] ? 'var(--ok)' : 'var(--fejl)'; div.appendChild(prik); div.appendChild(document.createTextNode(k + ': ' + (s.dele[k] ? 'ok' : 'nede'))); dele.appendChild(div); });
    saet('head', s.head);
    var h = s.historik;
    var k = s.kommandoer, antal = k.ok + k.afvist + k.fejl;
    var pts = h.concat([{ t: Date.parse(s.tid), head: s.head, kommandoer: antal, projektionLagSek: Math.max.apply(null, [0].concat(s.projektioner.map(function (p) { return p.lagSek; }))), relayLag: s.relay ? s.relay.lag : null }]);
    if (pts.length >= 2) { var a = pts[0], b = pts[pts.length - 1]; var min = (b.t - a.t) / 60000; $('rate').textContent = min > 0 ? tal((b.head - a.head) / min, 1) : '–'; }
    saet('kommandoer', antal); saet('k-ok', k.ok); saet('k-afvist', k.afvist); saet('k-fejl', k.fejl);
    $('k-gns').textContent = antal ? tal(k.sumSek * 1000 / antal, 1) : '–';
    raekker('projektioner', s.projektioner.map(function (p) { return [p.readModel, tal(p.position), { t: tal(p.lag), k: p.lag > 0 ? 'adv' : 'ok' }, tal(p.lagSek, 1)]; }), 'ingen projektor på denne instans', 4);
    var relay = $('relay'); relay.textContent = s.relay ? ('position ' + tal(s.relay.position) + ' · efterslæb ' + tal(s.relay.lag) + ' hændelser (' + tal(s.relay.lagSek, 1) + ' s) · sendt ' + tal(s.relay.sendt)) : 'Kafka eller relay-rollen er ikke slået til på denne instans';
    saet('t-aabne', s.aabne.tilbagemeldinger); saet('krav-aabne', s.aabne.krav); saet('krav-over', s.aabne.kravOverskredne);
    saet('frister-afventer', s.regler.afventer); saet('frister-forfaldne', s.regler.forfaldne); saet('regler-lag', s.regler.lag);
    raekker('affyringer', Object.keys(s.regler.affyringer).sort().map(function (r) { return [r, tal(s.regler.affyringer[r])]; }), 'ingen endnu', 2);
    var dl = s.deadLetters;
    $('dl-koder').textContent = dl ? (Object.keys(dl.byCode).map(function (c) { return c + ': ' + dl.byCode[c]; }).join(' · ') || 'ingen dead letters siden start') : 'Kafka er ikke slået til på denne instans';
    raekker('deadletters', dl ? dl.latest.map(function (d) { return [tidDa(d.time), { t: d.code, k: 'fejl' }, d.fields.join(', '), d.topic, d.type || '–', d.attempts]; }) : [], 'ingen', 6);
    raekker('overskredne', s.overskredneKrav.map(function (o) { return [o.kommunekode, o.tilbudId, o.trigger, o.niveau, { t: o.frist, k: 'fejl' }]; }), 'ingen overskredne krav', 5);
    var nu = Date.now() / 1000;
    raekker('fagsystemer', s.fagsystemer.slice().sort(function (a, b) { return a.sidst - b.sidst; }).map(function (f) { var siden = nu - f.sidst; return [f.party, f.id, f.kanal, tidDa(f.sidst * 1000), { t: tal(siden, 0) + ' s', k: siden > 3600 ? 'adv' : 'ok' }]; }), 'ingen beskeder endnu', 5);
    spark('spark-head', pts.map(function (p) { return p.head; }));
    spark('spark-kommandoer', pts.map(function (p) { return p.kommandoer; }));
    spark('spark-projektion', pts.map(function (p) { return p.projektionLagSek; }));
    spark('spark-relay', pts.map(function (p) { return p.relayLag; }));
    document.body.setAttribute('data-opdateret', s.tid);
  }
  var es = new EventSource('/ops/stroem');
  es.addEventListener('open', function () { $('forbindelse').textContent = '● live'; $('forbindelse').className = 'status ok'; });
  es.addEventListener('error', function () { $('forbindelse').textContent = '● afbrudt – prøver igen'; $('forbindelse').className = 'status fejl'; });
  es.addEventListener('snapshot', function (e) { vis(JSON.parse(e.data)); });
})();
</script>
</body>
</html>
`;

/** The CSP source of each inline block of a tag: its SHA-256, so the browser runs that block and nothing else. */
const hashes = (tag: 'script' | 'style'): string =>
  [...OPS_PAGE.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))]
    .map(
      ([, body]) =>
        `'sha256-${createHash('sha256')
          .update(body ?? '', 'utf8')
          .digest('base64')}'`,
    )
    .join(' ');

/**
 * The page's own policy (it replaces the API's stricter one on this route): the page is static, so its inline script
 * and style are allowed by hash, not by 'unsafe-inline'; an injected script or style would not run.
 */
export const OPS_CSP = `default-src 'none'; script-src ${hashes('script')}; style-src ${hashes('style')}; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
