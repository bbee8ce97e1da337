/**
 * Whether a request to the OAI-PMH endpoint should get the HTML view: only when the client
 * weights text/html strictly above XML in Accept (RFC 9110 §12.5.1). Without Accept, with
 * "*\/*", "text/*", "text/xml" or "application/xml" the answer is the XML, as harvesters and
 * curl have always had it. Browsers send "text/html,...,application/xml;q=0.9,*\/*;q=0.8".
 */

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';');
    const [type, subtype] = (range ?? '').trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() !== 'q') continue;
      const parsed = Number(value);
      q = value !== undefined && value !== '' && Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
    }
    ranges.push({ type, subtype, q });
  }
  return ranges;
}

/** The q-value the most specific matching range gives a media type (0 when none matches). */
function qualityOf(ranges: readonly MediaRange[], type: string, subtype: string): number {
  let best = -1;
  let q = 0;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = range.q;
    } else if (specificity === best && specificity >= 0) {
      q = Math.max(q, range.q);
    }
  }
  return q;
}

export function prefersHtml(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return false;
  const ranges = parseAccept(accept);
  const htmlQ = qualityOf(ranges, 'text', 'html');
  const xmlQ = Math.max(qualityOf(ranges, 'text', 'xml'), qualityOf(ranges, 'application', 'xml'));
  return htmlQ > 0 && htmlQ > xmlQ;
}
