#!/usr/bin/env bash
# One borger's indsats over HTTP, from bestilling to afslutning (README, "Worked example").
# Run against a hub on its embedded default: `npm start` in one shell, `bash docs/examples/lifecycle.sh` in another.
# test/e2e/readme-example.e2e.spec.ts runs this script, so it stays true.
set -euo pipefail
cd "$(dirname "$0")/../.."
HUB=${HUB:-http://localhost:3000}

KOMMUNE=$(npm run -s token -- myndighed 0101)
TILBUD=$(npm run -s token -- udfoerer tilbud-4711)

# post PATH TOKEN JSON → prints the response; fails on any 4xx/5xx with the problem+json body.
post() { curl -sS --fail-with-body -X POST "$HUB$1" -H "authorization: Bearer $2" -H 'content-type: application/json' -d "$3"; echo; }
# field JSON EXPR → one value out of a JSON document, e.g. field "$R" .id
field() { node -e 'const v=JSON.parse(process.argv[1]); console.log(eval("v"+process.argv[2]))' "$1" "$2"; }

echo '# 1. The kommune afgiver a bestilling with two indsatsmål (FFB codes from KL'"'"'s CodeSystem)'
R=$(post /bestillinger "$KOMMUNE" '{
  "cpr": "0101704321", "kommunekode": "0101", "tilbudId": "tilbud-4711",
  "tilbudstype": "d90f4da6-f87a-43b5-833f-646b4baf16d6",
  "lovgrundlag": ["SEL-85"],
  "ydelser": [{ "ydelse": "05cd5e81-1a3a-4bdd-901b-7ec96c12d990", "startdato": "2026-03-15", "slutdato": "2027-03-14" }],
  "primaerMaalgruppe": "9b3fd322-a75a-4ed8-9b74-425fa1e01c95",
  "stoettebehov": "401a397b-b3aa-4ca3-8b23-bd8f99dd3f76",
  "borgerensOensker": "Jeg vil gerne undgå, at angsten styrer mit liv.",
  "indsatsformaal": "Borgeren opnår at kunne indgå i sociale fællesskaber.",
  "indsatsmaal": [
    { "maalformulering": "Jeg vil gerne kunne møde mine venner i byen igen.",
      "maaltype": "d41c8072-52f8-42b5-9375-ddbea454d27f", "undertema": "3f9da5ac-9686-4eeb-b517-b46e17fcb1d7",
      "aktueltFunktionsevneniveau": "5bdde847-2837-416b-ab63-bbff8b7aa531", "forventetFunktionsevneniveau": "8328ce4a-6238-4f73-bf1a-74aadb68eff8",
      "opfoelgningsdato": "2026-09-01", "ansvarligForOpfoelgning": "Social service i Københavns Kommune" },
    { "maalformulering": "Jeg vil kunne lave mad selv tre dage om ugen.",
      "maaltype": "d41c8072-52f8-42b5-9375-ddbea454d27f", "undertema": "b947f321-7cdb-4b33-9653-f3ff800572b0",
      "aktueltFunktionsevneniveau": "5bdde847-2837-416b-ab63-bbff8b7aa531", "forventetFunktionsevneniveau": "8328ce4a-6238-4f73-bf1a-74aadb68eff8",
      "opfoelgningsdato": "2026-09-01", "ansvarligForOpfoelgning": "Social service i Københavns Kommune" }
  ]}')
echo "$R"
B=$(field "$R" .id)

echo '# 2. The tilbud reads it, kvitterer version 1 and accepts'
S=$(curl -sS --fail-with-body "$HUB/bestillinger/$B" -H "authorization: Bearer $TILBUD")
M1=$(field "$S" '.indsatsmaal[0].indsatsmaalId'); M2=$(field "$S" '.indsatsmaal[1].indsatsmaalId')
post "/bestillinger/$B/kvittering" "$TILBUD" '{ "version": 1 }'
post "/bestillinger/$B/accept" "$TILBUD" '{ "forventetStartdato": "2026-03-15" }'

echo '# 3. Two delmål with their delmålsplan, one under each indsatsmål'
PLAN='"delmaalsplan": { "formaal": "Øve kontakt i en tryg ramme.", "borgerensMotivation": "Vil gerne have venner.", "ressourcerOgUdfordringer": "Angst i større grupper.", "borgerensIndsats": "Møder op.", "medarbejdernesIndsatsOgMetode": "Kontaktperson følger." }'
D1=$(field "$(post "/bestillinger/$B/delmaal" "$TILBUD" "{ \"indsatsmaalId\": \"$M1\", \"navn\": \"Fællesspisning en gang om ugen\", $PLAN, \"startdato\": \"2026-03-20\", \"evalueringsdato\": \"2026-06-01\", \"slutdato\": \"2026-08-31\", \"ansvarlig\": \"Team Nord\" }")" .id)
D2=$(field "$(post "/bestillinger/$B/delmaal" "$TILBUD" "{ \"indsatsmaalId\": \"$M2\", \"navn\": \"Lave aftensmad om tirsdagen\", $PLAN, \"startdato\": \"2026-03-20\", \"slutdato\": \"2026-08-31\", \"ansvarlig\": \"Team Nord\" }")" .id)

echo '# 4. Delmålsobservationer (observation apart from refleksion) and a VUM-observation tagged with undertemaer'
O1=$(field "$(post "/delmaal/$D1/observationer" "$TILBUD" '{ "observation": "Deltog i fællesspisning i 20 minutter.", "refleksion": "Virkede tryg.", "observeret": "2026-03-26T18:30:00+01:00" }')" .id)
post "/delmaal/$D2/observationer" "$TILBUD" '{ "observation": "Skrællede kartofler med støtte.", "observeret": "2026-03-24T17:00:00+01:00" }'
V=$(field "$(post "/bestillinger/$B/vum-observationer" "$TILBUD" '{ "tekst": "Har holdt sig på værelset hele weekenden.", "undertemaer": ["61452fe5-cea2-4d92-b2f1-406e9a5d31cb", "3f9da5ac-9686-4eeb-b517-b46e17fcb1d7"], "paavirkerIndsatsen": true, "observeret": "2026-03-29T20:00:00+01:00" }')" .id)

echo '# 5. Evaluering, status på indsatsmål, tilbagemelding (T3) with the observations, kvittering by the kommune'
post "/delmaal/$D1/evalueringer" "$TILBUD" '{ "dato": "2026-06-01", "hvordanGaarDet": "Møder op hver uge.", "virkningForBorgeren": "Mindre angst.", "borgerensOplevelse": "Det er hyggeligt.", "refleksionerOverMetoder": "Low arousal virker.", "giverAnledningTilAendringer": false, "udvikling": "fremgang", "konklusion": "På vej til at blive nået." }'
post "/bestillinger/$B/status" "$TILBUD" "{ \"indsatsmaal\": [ { \"indsatsmaalId\": \"$M1\", \"statustekst\": \"Fremgang.\" }, { \"indsatsmaalId\": \"$M2\", \"statustekst\": \"Øver stadig.\" } ] }"
T=$(field "$(post "/bestillinger/$B/tilbagemeldinger" "$TILBUD" "{ \"trigger\": \"T3\", \"tekst\": \"Situationen påvirker indsatsen.\", \"observationer\": [ { \"type\": \"vum\", \"observationId\": \"$V\" }, { \"type\": \"delmaal\", \"observationId\": \"$O1\", \"delmaalId\": \"$D1\" } ] }")" .id)
post "/bestillinger/$B/tilbagemeldinger/$T/kvittering" "$KOMMUNE" '{ "bemaerkning": "Tages med på opfølgningen." }'

echo '# 6. Opfølgning (levels for both targeted undertemaer, three vurderinger, støttebehov, status på indsats) and afslutning'
post "/bestillinger/$B/opfoelgninger" "$KOMMUNE" '{ "funktionsevne": [ { "undertema": "3f9da5ac-9686-4eeb-b517-b46e17fcb1d7", "funktionsevneniveau": "8328ce4a-6238-4f73-bf1a-74aadb68eff8" }, { "undertema": "b947f321-7cdb-4b33-9653-f3ff800572b0", "funktionsevneniveau": "5bdde847-2837-416b-ab63-bbff8b7aa531" } ], "borgerensVurdering": "Det går bedre.", "udfoerersVurdering": "Stabil fremgang.", "sagsbehandlersVurdering": "Målene er nået.", "stoettebehov": "dd628e73-d6c9-4837-a2b8-aa62d73bd6ae", "statusPaaIndsats": "d7d03656-4c87-4e67-9146-aa5990460f16" }'
post "/bestillinger/$B/afslutning" "$KOMMUNE" '{ "slutdato": "2026-09-30", "begrundelse": "Målene er nået." }'

echo "# Done: bestilling $B is $(field "$(curl -sS --fail-with-body "$HUB/bestillinger/$B" -H "authorization: Bearer $KOMMUNE")" .fase)"
