// The meta tags read back with parse5 (the WHATWG HTML parser, as browsers and crawlers parse):
// placed in a document's <head>, every tag must stay there as a <meta> (a stray character or a
// broken quote would end the head and push content into the body), the tags Google Scholar
// requires must be there, and every name, content and lang must read back as written.
import { parse } from 'parse5';
import type { ArticleRecord } from '../../model/types.js';
import { citationMetaTags, type CitationTag } from './write.js';

interface Node {
  nodeName: string;
  value?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node[];
}

const DATE = /^\d{4}(?:\/\d{2}\/\d{2})?$/;

export function checkCitationMeta(output: string, record: ArticleRecord): string[] {
  const document = parse(`<!DOCTYPE html><html><head>${output}</head><body></body></html>`) as unknown as Node;
  const html = document.childNodes?.find((n) => n.nodeName === 'html');
  const head = html?.childNodes?.find((n) => n.nodeName === 'head');
  const body = html?.childNodes?.find((n) => n.nodeName === 'body');
  const problems: string[] = [];
  if ((body?.childNodes ?? []).length > 0) problems.push('part of the fragment ended up in <body>: it is not head content');
  const read: CitationTag[] = [];
  for (const node of head?.childNodes ?? []) {
    if (node.nodeName === '#text' && (node.value ?? '').trim() === '') continue;
    if (node.nodeName !== 'meta') {
      problems.push(`<head> holds ${node.nodeName === '#text' ? `text ${JSON.stringify(node.value)}` : `<${node.nodeName}>`}, not only <meta> tags`);
      continue;
    }
    const attrs = new Map((node.attrs ?? []).map((a) => [a.name, a.value]));
    const tag: CitationTag = { name: attrs.get('name') ?? '', content: attrs.get('content') ?? '' };
    if (attrs.has('lang')) tag.lang = attrs.get('lang')!;
    read.push(tag);
  }
  const count = (name: string) => read.filter((t) => t.name === name).length;
  if (count('citation_title') !== 1) problems.push(`Google Scholar requires one citation_title; found ${count('citation_title')}`);
  if (count('citation_author') < 1) problems.push('Google Scholar requires at least one citation_author');
  const date = read.find((t) => t.name === 'citation_publication_date');
  if (!date) problems.push('Google Scholar requires citation_publication_date');
  else if (!DATE.test(date.content)) problems.push(`citation_publication_date ${JSON.stringify(date.content)} is neither YYYY/MM/DD nor a year`);
  const expected = citationMetaTags(record);
  const length = Math.max(expected.length, read.length);
  for (let i = 0; i < length; i++) {
    if (JSON.stringify(expected[i]) !== JSON.stringify(read[i])) {
      problems.push(`tag ${i + 1}: wrote ${JSON.stringify(expected[i])}, read back ${JSON.stringify(read[i])}`);
    }
  }
  return problems;
}
