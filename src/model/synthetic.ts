/**
 * Deterministic synthetic article records for load tests and benchmarks.
 * Record `index` under `seed` is always the same record, independent of any other index,
 * so generation can stream, resume or run in parallel. Every record is marked synthetic and
 * uses the 10.5555 DOI prefix Crossref reserves for examples.
 */
import type { Affiliation, ArticleRecord, Contributor, Issn, Journal, LangMap, Reference } from './types.js';
import { issnCheckDigit, numberToRoman, orcidCheckCharacter } from './identifiers.js';

export const DEFAULT_SYNTHETIC_SEED = 1;
export const SYNTHETIC_DOI_PREFIX = '10.5555';

/** mulberry32: tiny, fast, good enough for test data (not for anything secret). */
export function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Mixes (seed, index) so neighbouring indices start from unrelated PRNG states.
function mixSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}

class Rng {
  readonly next: () => number;
  constructor(seed: number, index: number) {
    this.next = mulberry32(mixSeed(seed, index));
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  digits(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += String(this.int(0, 9));
    return out;
  }
}

type Lang = 'en' | 'id' | 'ru' | 'ar' | 'es' | 'fr';

const WORDS: Record<Lang, readonly string[]> = {
  en: ['analysis', 'regional', 'security', 'policy', 'network', 'dynamics', 'evidence', 'governance', 'model', 'cooperation', 'climate', 'health', 'learning', 'structure', 'impact', 'framework', 'development', 'community', 'data', 'theory', 'systems', 'maritime', 'energy', 'urban', 'trade', 'risk', 'education', 'identity', 'migration', 'innovation'],
  id: ['analisis', 'regional', 'keamanan', 'kebijakan', 'jaringan', 'dinamika', 'bukti', 'tata kelola', 'model', 'kerja sama', 'iklim', 'kesehatan', 'pembelajaran', 'struktur', 'dampak', 'kerangka', 'pembangunan', 'masyarakat', 'data', 'teori', 'sistem', 'maritim', 'energi', 'perkotaan', 'perdagangan', 'risiko', 'pendidikan', 'identitas', 'migrasi', 'inovasi'],
  ru: ['анализ', 'региональный', 'безопасность', 'политика', 'сеть', 'динамика', 'данные', 'управление', 'модель', 'сотрудничество', 'климат', 'здоровье', 'обучение', 'структура', 'влияние', 'основы', 'развитие', 'общество', 'теория', 'системы', 'морской', 'энергия', 'город', 'торговля', 'риск', 'образование', 'идентичность', 'миграция', 'инновации', 'оценка'],
  ar: ['تحليل', 'إقليمي', 'الأمن', 'السياسة', 'شبكة', 'ديناميات', 'أدلة', 'الحوكمة', 'نموذج', 'التعاون', 'المناخ', 'الصحة', 'التعلم', 'بنية', 'أثر', 'إطار', 'التنمية', 'المجتمع', 'بيانات', 'نظرية', 'أنظمة', 'بحري', 'الطاقة', 'حضري', 'التجارة', 'مخاطر', 'التعليم', 'الهوية', 'الهجرة', 'الابتكار'],
  es: ['análisis', 'regional', 'seguridad', 'política', 'red', 'dinámica', 'evidencia', 'gobernanza', 'modelo', 'cooperación', 'clima', 'salud', 'aprendizaje', 'estructura', 'impacto', 'marco', 'desarrollo', 'comunidad', 'datos', 'teoría', 'sistemas', 'marítimo', 'energía', 'urbano', 'comercio', 'riesgo', 'educación', 'identidad', 'migración', 'innovación'],
  fr: ['analyse', 'régional', 'sécurité', 'politique', 'réseau', 'dynamique', 'preuves', 'gouvernance', 'modèle', 'coopération', 'climat', 'santé', 'apprentissage', 'structure', 'impact', 'cadre', 'développement', 'communauté', 'données', 'théorie', 'systèmes', 'maritime', 'énergie', 'urbain', 'commerce', 'risque', 'éducation', 'identité', 'migration', 'innovation'],
};

// Joining words: markup-significant characters appear now and then, as they do in real titles.
const JOINERS: Record<Lang, readonly string[]> = {
  en: ['and', 'of', 'in', 'for', '&', 'with', 'under', 'versus'],
  id: ['dan', 'di', 'untuk', 'dalam', '&', 'terhadap', 'pada'],
  ru: ['и', 'в', 'для', 'о', '&', 'при', 'между'],
  ar: ['و', 'في', 'من', 'على', 'بين', 'حول'],
  es: ['y', 'de', 'en', 'para', '&', 'con', 'sobre'],
  fr: ['et', 'de', 'dans', 'pour', '&', 'avec', 'sur'],
};

const PRIMARY_LANGUAGES: readonly Lang[] = ['en', 'en', 'en', 'id', 'id', 'ru', 'ar', 'es', 'fr'];
const ALL_LANGUAGES: readonly Lang[] = ['en', 'id', 'ru', 'ar', 'es', 'fr'];

const LATIN_GIVEN = ['Ana', 'Budi', 'Carlos', 'Dewi', 'Élodie', 'Farid', 'Grace', 'Hiroshi', 'Ines', 'Jonas', 'Kartika', 'Lucía', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Rangga', 'Sofía', 'Tomás', "D'Arcy"];
const LATIN_FAMILY = ['Akhli', 'Santoso', 'García', 'Dubois', 'Okafor', "O'Brien", 'Nguyen', 'Müller', 'Rossi', 'Haddad', 'Kowalski', 'Tanaka', 'Fernández', 'Lefèvre', 'Wijaya', 'Smith', 'Silva', 'Novak', 'Halkis', 'Gumilar'];
const CYRILLIC_NAMES: readonly [string, string, string, string][] = [
  ['Анна', 'Иванова', 'Anna', 'Ivanova'],
  ['Дмитрий', 'Смирнов', 'Dmitry', 'Smirnov'],
  ['Ольга', 'Кузнецова', 'Olga', 'Kuznetsova'],
  ['Сергей', 'Попов', 'Sergey', 'Popov'],
  ['Мария', 'Соколова', 'Maria', 'Sokolova'],
  ['Алексей', 'Лебедев', 'Alexey', 'Lebedev'],
];
const ARABIC_NAMES: readonly [string, string, string, string][] = [
  ['فاطمة', 'الزهراء', 'Fatima', 'Al-Zahra'],
  ['محمد', 'الحسن', 'Mohammed', 'Al-Hassan'],
  ['ليلى', 'منصور', 'Layla', 'Mansour'],
  ['يوسف', 'حداد', 'Youssef', 'Haddad'],
  ['سارة', 'العلي', 'Sara', 'Al-Ali'],
  ['خالد', 'ناصر', 'Khaled', 'Nasser'],
];
const MONONYMS = ['Sukarno', 'Suharto', 'Madonna', 'Teller'];
const GROUP_AUTHORS = ['The Synthetic Metadata Consortium', 'Working Group on Data & Standards', 'OpenCitations "Example" Team'];

// Real ROR ids (checksums verified) with their institutions' names.
const ROR_AFFILIATIONS: readonly Affiliation[] = [
  { name: 'Brown University', ror: 'https://ror.org/05gq02987', country: 'US' },
  { name: 'University College London', ror: 'https://ror.org/02jx3x895', country: 'GB' },
  { name: 'California Digital Library', ror: 'https://ror.org/03yrm5c26', country: 'US' },
  { name: 'Stanford University', ror: 'https://ror.org/00f54p054', country: 'US' },
  { name: 'University of Cambridge', ror: 'https://ror.org/013meh722', country: 'GB' },
  { name: 'University of Oxford', ror: 'https://ror.org/052gg0110', country: 'GB' },
];
const PLAIN_AFFILIATIONS: readonly Affiliation[] = [
  { name: 'Program Studi Diplomasi Pertahanan, Universitas Pertahanan', country: 'ID' },
  { name: 'Institute of Synthetic Studies' },
  { name: 'Faculty of Example Sciences, Universidad de Ejemplo', country: 'ES' },
  { name: 'Лаборатория «Данные & Метаданные»', country: 'RU' },
  { name: 'جامعة المثال', country: 'EG' },
  { name: 'Laboratoire <Exemple> de Recherche', country: 'FR' },
];

function issn(base7: string, media: Issn['media']): Issn {
  return { value: `${base7.slice(0, 4)}-${base7.slice(4)}${issnCheckDigit(base7)}`, media };
}

interface PoolJournal {
  code: string;
  firstYear: number;
  journal: Journal;
  sections: readonly string[];
}

const JOURNALS: readonly PoolJournal[] = [
  {
    code: 'jsms',
    firstYear: 2005,
    journal: {
      title: 'Journal of Synthetic Metadata Studies',
      abbrevTitle: 'J. Synth. Metadata Stud.',
      issns: [issn('2345678', 'print'), issn('2345679', 'electronic')],
      publisher: { name: 'Example Press', place: 'Providence, RI' },
      url: 'https://journals.example.org/jsms',
    },
    sections: ['Research Articles', 'Reviews', 'Short Communications'],
  },
  {
    code: 'jdpx',
    firstYear: 2015,
    journal: {
      title: 'Jurnal Contoh Diplomasi & Pertahanan',
      issns: [issn('2776555', 'electronic')],
      publisher: { name: 'Penerbit Contoh', place: 'Jakarta' },
      url: 'https://jurnal.example.ac.id/jcdp',
    },
    sections: ['Artikel', 'Ulasan Buku'],
  },
  {
    code: 'vsi',
    firstYear: 1998,
    journal: {
      title: 'Вестник синтетических исследований',
      abbrevTitle: 'Вестн. синт. исслед.',
      issns: [issn('1234567', 'print')],
      publisher: { name: 'Издательство «Пример»', place: 'Москва' },
      url: 'https://vestnik.example.ru',
    },
    sections: ['Статьи', 'Обзоры'],
  },
  {
    code: 'rem',
    firstYear: 2010,
    journal: {
      title: 'Revista de Estudios de Metadatos',
      abbrevTitle: 'Rev. Estud. Metadatos',
      issns: [issn('1698765', 'print'), issn('2173456', 'electronic')],
      publisher: { name: 'Ediciones Ejemplo', place: 'Madrid' },
      url: 'https://revistas.example.es/rem',
    },
    sections: ['Artículos', 'Notas'],
  },
  {
    code: 'mad',
    firstYear: 2012,
    journal: {
      title: 'مجلة الدراسات الافتراضية',
      issns: [issn('2410123', 'electronic')],
      publisher: { name: 'دار المثال للنشر', place: 'القاهرة' },
      url: 'https://journal.example.eg',
    },
    sections: ['بحوث', 'مراجعات'],
  },
  {
    code: 'cem',
    firstYear: 2001,
    journal: {
      title: "Cahiers d'Études Métadonnées",
      issns: [issn('1765432', 'print'), issn('1950123', 'electronic')],
      publisher: { name: 'Éditions Exemple', place: 'Lyon' },
      url: 'https://cahiers.example.fr',
    },
    sections: ['Articles', 'Varia'],
  },
];

/** The journals synthetic records belong to (code, and the journal as records carry it). */
export function syntheticJournals(): { code: string; journal: Journal }[] {
  return JOURNALS.map((j) => ({ code: j.code, journal: structuredClone(j.journal) }));
}

const LICENSES = [
  'https://creativecommons.org/licenses/by/4.0/',
  'https://creativecommons.org/licenses/by/4.0/',
  'https://creativecommons.org/licenses/by-sa/4.0/',
  'https://creativecommons.org/licenses/by-nc/4.0/',
];

const FUNDERS = [
  { funderName: 'National Science Foundation', funderId: '10.13039/100000001' },
  { funderName: 'European Research Council', funderId: 'https://ror.org/0472cxd90' },
  { funderName: 'Example Foundation for Open Research' },
];

const REFERENCE_SOURCES = ['Journal of Example Research', 'International Review of Synthetic Data', 'Pacific Review', 'Asian Security', 'Journal of Contemporary Examples', 'Security Studies Quarterly'];
const REFERENCE_PUBLISHERS = ['Example University Press', 'Routledge', 'Palgrave Macmillan', 'Oxford University Press'];

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Capitalised once up front: capitalising generated strings per record was the generator's hot spot.
const CAPITALIZED_WORDS = Object.fromEntries(
  Object.entries(WORDS).map(([lang, words]) => [lang, words.map(capitalize)]),
) as unknown as Record<Lang, readonly string[]>;

function phrase(rng: Rng, lang: Lang, minWords: number, maxWords: number, sentenceCase = false): string {
  const words = WORDS[lang];
  const count = rng.int(minWords, maxWords);
  // join() yields flat strings; += would build ropes that cost memory in large batches.
  const parts: string[] = [rng.pick(sentenceCase ? CAPITALIZED_WORDS[lang] : words)];
  for (let i = 1; i < count; i++) {
    // Joining words only between content words, never last.
    parts.push(i % 3 === 2 && i < count - 1 ? rng.pick(JOINERS[lang]) : rng.pick(words));
  }
  return parts.join(' ');
}

function title(rng: Rng, lang: Lang): string {
  let text = phrase(rng, lang, 5, 12, true);
  // A few titles carry quotes and angle brackets, as real ones do ("<i>in vivo</i>" pasted as text).
  if (rng.chance(0.05)) text += lang === 'en' ? ': "A <Case> Study"' : ": 'x < y'";
  return text;
}

function abstract(rng: Rng, lang: Lang): string {
  const sentences = rng.int(3, 6);
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) {
    if (i > 0) parts.push(i === 3 ? '\n\n' : ' ');
    parts.push(phrase(rng, lang, 8, 16, true), '.');
  }
  return parts.join('');
}

function keywords(rng: Rng, lang: Lang): string[] {
  const count = rng.int(3, 6);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(phrase(rng, lang, 1, 3));
  return out;
}

function orcid(rng: Rng): string {
  // ORCID iDs are issued in 0000-0001-5000-0007 .. 0000-0003-xxxx; stay in that block.
  const digits15 = '000' + String(rng.int(1, 3)) + rng.digits(11);
  const d = digits15 + orcidCheckCharacter(digits15);
  return `${d.slice(0, 4)}-${d.slice(4, 8)}-${d.slice(8, 12)}-${d.slice(12)}`;
}

function contributor(rng: Rng, primary: Lang, position: number, doiSlug: string): Contributor {
  const person: Contributor = { type: 'person' };
  if (position > 0 && rng.chance(0.03)) {
    return { type: 'organization', name: rng.pick(GROUP_AUTHORS), role: 'author' };
  }
  if (position > 0 && rng.chance(0.03)) {
    person.family = rng.pick(MONONYMS);
  } else if ((primary === 'ru' || primary === 'ar') && rng.chance(0.7)) {
    const [given, family, enGiven, enFamily] = rng.pick(primary === 'ru' ? CYRILLIC_NAMES : ARABIC_NAMES);
    person.given = given;
    person.family = family;
    person.nameVariants = { en: { given: enGiven, family: enFamily } };
  } else {
    person.given = rng.pick(LATIN_GIVEN);
    person.family = rng.pick(LATIN_FAMILY);
  }
  person.role = 'author';
  if (rng.chance(0.85)) {
    const affiliations = [rng.chance(0.5) ? rng.pick(ROR_AFFILIATIONS) : rng.pick(PLAIN_AFFILIATIONS)];
    if (rng.chance(0.15)) affiliations.push(rng.pick(ROR_AFFILIATIONS));
    // Fresh objects: records never share mutable structure.
    person.affiliations = affiliations.map((a) => ({ ...a }));
  }
  if (rng.chance(0.4)) person.orcid = orcid(rng);
  if (position === 0) {
    person.email = `author.${doiSlug.replace(/[^a-z0-9]+/g, '.')}@example.org`;
    person.corresponding = true;
  }
  return person;
}

const REFERENCE_KEYS = Array.from({ length: 41 }, (_, n) => `ref${n}`);

function reference(rng: Rng, n: number, year: number): Reference {
  const author = rng.pick(LATIN_FAMILY);
  const initial = rng.pick(LATIN_GIVEN).charAt(0);
  const refYear = String(rng.int(year - 40, year - 1));
  const articleTitle = phrase(rng, 'en', 4, 10, true);
  const ref: Reference = { key: REFERENCE_KEYS[n] ?? `ref${n}` };
  if (rng.chance(0.7)) {
    const source = rng.pick(REFERENCE_SOURCES);
    const volume = String(rng.int(1, 60));
    const issue = String(rng.int(1, 12));
    const first = rng.int(1, 400);
    const last = first + rng.int(5, 30);
    ref.publicationType = 'journal';
    // Built with join(): flat strings take far less heap than template-literal ropes in big batches.
    const text = [author, ', ', initial, '. (', refYear, '). ', articleTitle, '. ', source, ', ', volume, '(', issue, '), ', String(first), '–', String(last), '.'];
    if (rng.chance(0.4)) {
      ref.doi = `${SYNTHETIC_DOI_PREFIX}/ref.${refYear}.${rng.digits(6)}`;
      text.push(' https://doi.org/', ref.doi);
    }
    ref.unstructured = text.join('');
    if (rng.chance(0.5)) {
      ref.structured = { author, articleTitle, source, volume, issue, firstPage: String(first), lastPage: String(last), year: refYear };
    }
  } else {
    const publisher = rng.pick(REFERENCE_PUBLISHERS);
    ref.publicationType = 'book';
    ref.unstructured = [author, ', ', initial, '. ', refYear, '. ', articleTitle, '. ', publisher, '.'].join('');
    if (rng.chance(0.3)) ref.structured = { author, source: articleTitle, year: refYear, publisher };
  }
  return ref;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Synthetic record number `index` (0-based) for `seed`: the same inputs always give the same record. */
export function syntheticRecord(index: number, seed: number = DEFAULT_SYNTHETIC_SEED): ArticleRecord {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`synthetic record index must be a non-negative integer (got ${index})`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`synthetic seed must be an integer (got ${seed})`);
  const rng = new Rng(seed, index);
  const pool = rng.pick(JOURNALS);
  const primary = rng.pick(PRIMARY_LANGUAGES);
  const languages: Lang[] = [primary];
  const extra = rng.int(1, 2);
  while (languages.length < 1 + extra) {
    // English is the usual second language; otherwise any other.
    const candidate = !languages.includes('en') && rng.chance(0.6) ? 'en' : rng.pick(ALL_LANGUAGES);
    if (!languages.includes(candidate)) languages.push(candidate);
  }

  const year = rng.int(Math.max(pool.firstYear, 2000), 2025);
  const volume = year - pool.firstYear + 1;
  const issueNumber = rng.int(1, 4);
  const month = Math.min(12, issueNumber * 3);
  const day = rng.int(1, 28);
  const published = `${year}-${pad2(month)}-${pad2(day)}`;
  const localId = `syn-${seed}-${String(index).padStart(6, '0')}`;
  const doiSlug = `syn.${pool.code}.${seed}.${index}`;
  const doi = `${SYNTHETIC_DOI_PREFIX}/${doiSlug}`;

  const titles: LangMap = {};
  const abstracts: LangMap = {};
  const keywordMap: LangMap<string[]> = {};
  for (const lang of languages) {
    titles[lang] = title(rng, lang);
    abstracts[lang] = abstract(rng, lang);
    keywordMap[lang] = keywords(rng, lang);
  }

  const authorCount = rng.int(1, 8);
  const contributors: Contributor[] = [];
  for (let i = 0; i < authorCount; i++) contributors.push(contributor(rng, primary, i, doiSlug));

  const referenceCount = rng.int(5, 40);
  const references: Reference[] = [];
  for (let i = 1; i <= referenceCount; i++) references.push(reference(rng, i, year));

  const { journal } = pool;
  const record: ArticleRecord = {
    id: localId,
    synthetic: true,
    language: primary,
    articleType: 'research-article',
    title: titles,
    abstract: abstracts,
    keywords: keywordMap,
    contributors,
    journal: {
      ...journal,
      ...(journal.issns ? { issns: journal.issns.map((i) => ({ ...i })) } : {}),
      ...(journal.publisher ? { publisher: { ...journal.publisher } } : {}),
    },
    issue: { volume: String(volume), number: String(issueNumber), year, publicationDate: `${year}-${pad2(month)}` },
    doi,
    landingPage: `${journal.url}/article/view/${seed}-${index}`,
    galleys: [{ url: `${journal.url}/article/download/${seed}-${index}/pdf`, mimeType: 'application/pdf', label: 'PDF' }],
    section: rng.pick(pool.sections),
    license: { url: rng.pick(LICENSES), startDate: published },
    copyright: { holder: 'The Authors', year },
    dates: {
      received: `${year - 1}-${pad2(rng.int(1, 12))}-${pad2(rng.int(1, 28))}`,
      accepted: `${year}-${pad2(Math.max(1, month - 1))}-${pad2(rng.int(1, 28))}`,
      published: { online: published },
    },
    references,
  };
  if (rng.chance(0.5)) record.galleys!.push({ url: `${journal.url}/article/view/${seed}-${index}/html`, mimeType: 'text/html', label: 'HTML' });

  const pageKind = rng.next();
  if (pageKind < 0.1) {
    record.articleNumber = `e${year}${String(index % 100000).padStart(5, '0')}`;
  } else if (pageKind < 0.15) {
    const first = rng.int(1, 20);
    record.pages = { first: numberToRoman(first), last: numberToRoman(first + rng.int(2, 12)) };
  } else {
    const first = rng.int(1, 300);
    record.pages = { first: String(first), last: String(first + rng.int(4, 30)) };
  }
  if (rng.chance(0.2)) {
    const funder = rng.pick(FUNDERS);
    record.funding = [{ ...funder, awardIds: [`AWD-${rng.digits(7)}`] }];
  }
  return record;
}

/** `count` synthetic records, indices 0..count-1. */
export function generateSyntheticRecords(count: number, seed: number = DEFAULT_SYNTHETIC_SEED): ArticleRecord[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`synthetic record count must be a non-negative integer (got ${count})`);
  const records = new Array<ArticleRecord>(count);
  for (let i = 0; i < count; i++) records[i] = syntheticRecord(i, seed);
  return records;
}
