import codeSystem from './data/CodeSystem-FFB.json';
import supplement from './data/ffb-supplement.json';

/** A coded value as events store it: the FFB code UUID, its display text and the CodeSystem version. */
export interface Kode {
  readonly code: string;
  readonly display: string;
  readonly version: string;
}

export type Gren =
  | 'socialIndsats'
  | 'ydelse'
  | 'tilbud'
  | 'maalgruppe'
  | 'stoettebehov'
  | 'statusPaaIndsats'
  | 'tilstande'
  | 'maaltype'
  | 'funktionsevneniveau';

export type Kategori = 'funktionerOgForhold' | 'omgivelsesfaktorer' | 'aktivitetOgDeltagelse';
export type Maaltype = 'udvikle' | 'fastholde' | 'begraenseTab';
export type StatusPaaIndsats = 'fortsaettelse' | 'afslutningOgVisitationTilNy' | 'afslutning';

/** One concept of the CodeSystem with its place in the hierarchy. */
export interface Koncept {
  readonly code: string;
  readonly display: string;
  readonly definition?: string;
  readonly parent?: string;
  /** Codes from the top of the CodeSystem down to the parent. */
  readonly ancestors: readonly string[];
  readonly children: readonly string[];
}

/** VUM 2.0 undertema: a leaf of "FFB tilstande" under kategori → overtema. */
export interface Undertema {
  readonly code: string;
  readonly display: string;
  readonly overtema: { readonly code: string; readonly display: string };
  readonly kategori: Kategori;
}

interface FhirConcept {
  code: string;
  display: string;
  definition?: string;
  concept?: FhirConcept[];
}

export interface CodeSystemData {
  readonly url: string;
  readonly version: string;
  readonly concept: readonly FhirConcept[];
}

interface SupplementBlock {
  roots: Record<string, string>;
  kategorier: Record<Kategori, string>;
  funktionsevneniveau: Record<string, number | null>;
  stoettebehov: Record<string, number | null>;
  maaltype: Record<string, Maaltype>;
  statusPaaIndsats: Record<string, StatusPaaIndsats>;
}

/**
 * The FFB catalog of one CodeSystem version (KL, canonical `urn:oid:1.2.208.176.2.22`). Lookups are by code UUID;
 * the branch a code belongs to is decided by the hierarchy, never by its display text.
 */
export class FfbKatalog {
  readonly url: string;
  readonly version: string;
  private readonly concepts = new Map<string, Koncept>();
  private readonly roots: Record<Gren | 'ophold' | 'botilbud', string>;
  private readonly kategoriCodes: Record<Kategori, string>;
  private readonly undertemaIndex = new Map<string, Undertema>();

  constructor(
    data: CodeSystemData,
    private readonly supplementBlock: SupplementBlock,
  ) {
    this.url = data.url;
    this.version = data.version;
    this.roots = supplementBlock.roots as FfbKatalog['roots'];
    this.kategoriCodes = supplementBlock.kategorier;
    const visit = (concepts: readonly FhirConcept[], ancestors: readonly string[]): void => {
      for (const c of concepts) {
        if (this.concepts.has(c.code)) throw new Error(`FFB ${data.version}: code ${c.code} occurs twice`);
        const parent = ancestors[ancestors.length - 1];
        this.concepts.set(c.code, {
          code: c.code,
          display: c.display,
          ...(c.definition === undefined ? {} : { definition: c.definition }),
          ...(parent === undefined ? {} : { parent }),
          ancestors,
          children: (c.concept ?? []).map((child) => child.code),
        });
        visit(c.concept ?? [], [...ancestors, c.code]);
      }
    };
    visit(data.concept, []);
    for (const [name, code] of Object.entries(this.roots)) {
      if (!this.concepts.has(code)) throw new Error(`FFB ${data.version}: supplement root ${name} ${code} is unknown`);
    }
    for (const [kategori, kategoriCode] of Object.entries(this.kategoriCodes) as [Kategori, string][]) {
      for (const overtemaCode of this.require(kategoriCode).children) {
        const overtema = this.require(overtemaCode);
        for (const undertemaCode of overtema.children) {
          const undertema = this.require(undertemaCode);
          this.undertemaIndex.set(undertemaCode, {
            code: undertemaCode,
            display: undertema.display,
            overtema: { code: overtema.code, display: overtema.display },
            kategori,
          });
        }
      }
    }
  }

  /** Every concept, in CodeSystem order. */
  all(): readonly Koncept[] {
    return [...this.concepts.values()];
  }

  get(code: string): Koncept | undefined {
    return this.concepts.get(code);
  }

  /** The coded value to store in an event. */
  kode(code: string): Kode {
    return { code, display: this.require(code).display, version: this.version };
  }

  /** True when `code` is a proper descendant of the branch root (the root itself is a heading, not a value). */
  iGren(code: string, gren: Gren | 'ophold' | 'botilbud'): boolean {
    const concept = this.concepts.get(code);
    return concept !== undefined && concept.ancestors.includes(this.roots[gren]);
  }

  undertemaer(): readonly Undertema[] {
    return [...this.undertemaIndex.values()];
  }

  undertema(code: string): Undertema | undefined {
    return this.undertemaIndex.get(code);
  }

  /** 0–4, or null for "Ikke vurderet"; undefined when the code is no funktionsevneniveau. */
  funktionsevneniveau(code: string): number | null | undefined {
    return this.supplementBlock.funktionsevneniveau[code];
  }

  /** 0–4, or null for "Ikke vurderet"; undefined when the code is no støttebehov. */
  stoettebehov(code: string): number | null | undefined {
    return this.supplementBlock.stoettebehov[code];
  }

  maaltype(code: string): Maaltype | undefined {
    return this.supplementBlock.maaltype[code];
  }

  statusPaaIndsats(code: string): StatusPaaIndsats | undefined {
    return this.supplementBlock.statusPaaIndsats[code];
  }

  private require(code: string): Koncept {
    const concept = this.concepts.get(code);
    if (!concept) throw new Error(`FFB ${this.version}: unknown code ${code}`);
    return concept;
  }
}

const blocks = supplement.versions as Record<string, SupplementBlock>;

/** Builds the catalog of a CodeSystem version; the supplement must have a block for that version. */
export function createKatalog(data: CodeSystemData): FfbKatalog {
  const block = blocks[data.version];
  if (!block) throw new Error(`No FFB supplement for CodeSystem version ${data.version}`);
  return new FfbKatalog(data, block);
}

/** The catalog of the CodeSystem version shipped with the hub. */
export const ffbKatalog: FfbKatalog = createKatalog(codeSystem as CodeSystemData);
