// The RIS round trip: Citation.js reads the file back, every tag must come back with the values
// written (in order), and its CSL reading must be a journal article with the record's DOI,
// title and authors. [] means the output is valid.
import type { ArticleRecord } from '../../model/types.js';
import { toCslItem } from '../csl/write.js';
import { parseRisRecords, parseRisToCsl } from './parse.js';
import { risTags, risValue } from './write.js';

export function checkRis(output: string, record: ArticleRecord): string[] {
  let records: Record<string, string | string[]>[];
  let items: Record<string, unknown>[];
  try {
    records = parseRisRecords(output);
    items = parseRisToCsl(output);
  } catch (error) {
    return [`Citation.js cannot parse the RIS: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (records.length !== 1 || items.length !== 1) return [`expected one record, Citation.js read ${records.length}`];
  const problems: string[] = [];
  const expected = new Map<string, string[]>();
  for (const [tag, value] of risTags(record)) expected.set(tag, [...(expected.get(tag) ?? []), value]);
  const read = records[0]!;
  for (const tag of new Set([...expected.keys(), ...Object.keys(read)])) {
    const wrote = expected.get(tag) ?? [];
    const got = read[tag] === undefined ? [] : ([] as string[]).concat(read[tag]!);
    if (JSON.stringify(wrote) !== JSON.stringify(got)) problems.push(`${tag}: wrote ${JSON.stringify(wrote)}, read back ${JSON.stringify(got)}`);
  }
  const item = items[0]!;
  const cited = toCslItem(record);
  if (item.type !== 'article-journal') problems.push(`type: read back ${JSON.stringify(item.type)}, not a journal article`);
  if (item.DOI !== record.doi) problems.push(`DOI: read back ${JSON.stringify(item.DOI)}`);
  if (item.title !== risValue(cited.title)) problems.push(`title: read back ${JSON.stringify(item.title)}`);
  const authors = Array.isArray(item.author) ? item.author.length : 0;
  if (authors !== (cited.author?.length ?? 0)) problems.push(`author: wrote ${cited.author?.length ?? 0}, read back ${authors}`);
  return problems;
}
