/** Picks the reader from the document's root element and namespace, not from a file name. */
import { detectXmlFormat, documentRoot } from '../detect.js';
import { FORMATS, type FormatList } from '../registry.js';
import { ReaderError, type ReaderResult } from './xml.js';

/** Reads a document in any registered format that has a reader; `format` is the format's id. */
export function readAnyXml(xml: string, formats: FormatList = FORMATS): ReaderResult & { format: string } {
  const format = detectXmlFormat(xml, formats);
  if (!format?.read) {
    const root = documentRoot(xml);
    const readable = formats.filter((f) => f.read && f.detect).map((f) => f.label).join(', ');
    throw new ReaderError(
      root
        ? `unrecognised XML: root element <${root.name}>${root.namespace ? ` in namespace ${root.namespace}` : ''} is not in a format pubmeta reads (${readable})`
        : 'not an XML document: no root element found',
    );
  }
  return { ...format.read(xml), format: format.id };
}
