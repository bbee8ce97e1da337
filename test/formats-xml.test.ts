import { describe, expect, it } from 'vitest';
import { indentXml } from '../src/formats/xml/writer.js';

describe('indentXml', () => {
  it('indents element-only content, including self-closing children and quoted ">"', () => {
    const compact = '<a><b>t</b><c/><d x="1>2" y=\'/\'><e>u</e></d></a>';
    expect(indentXml(compact)).toBe(['<a>', '  <b>t</b>', '  <c/>', '  <d x="1>2" y=\'/\'>', '    <e>u</e>', '  </d>', '</a>'].join('\n'));
  });

  it('copies mixed content exactly, element-only descendants included', () => {
    const title = '<title>CO<sub>2</sub> and <mml:math><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:math> </title>';
    expect(indentXml(`<r>${title}</r>`)).toBe(`<r>\n  ${title}\n</r>`);
  });

  it('keeps whitespace-only text that separates inline elements', () => {
    const p = '<p><italic>a</italic> <bold>b</bold></p>';
    expect(indentXml(p)).toBe(p);
  });

  it('leaves empty elements and text-only documents alone', () => {
    expect(indentXml('<a></a>')).toBe('<a></a>');
    expect(indentXml('<a>&lt;b&gt;</a>')).toBe('<a>&lt;b&gt;</a>');
  });
});
