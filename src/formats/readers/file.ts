// Reading an XML file of any size: read in chunks, decoded by its BOM or declared encoding,
// with the content the detected format's reader skips (JATS body) dropped on the way, so only
// the metadata is ever held in memory; then read by the format's reader.
import { open } from 'node:fs/promises';
import { detectXmlFormat } from '../detect.js';
import { FORMATS, type FormatList } from '../registry.js';
import { readAnyXml } from './any.js';
import { XmlPruner } from './prune.js';
import type { ReaderResult } from './xml.js';

const CHUNK = 1 << 20;
/** Bytes read before the format is decided (the root element follows any prolog). */
const HEAD = 1 << 16;

/** The encoding of a file from its first bytes: a BOM, else the XML declaration, else UTF-8. */
export function xmlFileEncoding(head: Uint8Array): { label: string; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { label: 'utf-8', bom: 3 };
  if (head[0] === 0xfe && head[1] === 0xff) return { label: 'utf-16be', bom: 2 };
  if (head[0] === 0xff && head[1] === 0xfe) return { label: 'utf-16le', bom: 2 };
  // No BOM: the XML declaration's first bytes tell UTF-16 apart (XML 1.0 Appendix F).
  if (head[0] === 0x3c && head[1] === 0x00 && head[2] === 0x3f && head[3] === 0x00) return { label: 'utf-16le', bom: 0 };
  if (head[0] === 0x00 && head[1] === 0x3c && head[2] === 0x00 && head[3] === 0x3f) return { label: 'utf-16be', bom: 0 };
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(new TextDecoder('latin1').decode(head.subarray(0, 200)))?.[1];
  // A declaration read as ASCII cannot truly be UTF-16 (that needs a BOM or the zero bytes above).
  if (declared && !/^utf-?16/i.test(declared)) {
    try {
      new TextDecoder(declared);
      return { label: declared, bom: 0 };
    } catch {
      // Unknown label: UTF-8, which is what most mislabelled files really are.
    }
  }
  return { label: 'utf-8', bom: 0 };
}

/** Turns the file's bytes into text, chunk by chunk; TextDecoder is one. */
export interface XmlChunkDecoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

export interface ReadXmlFileOptions {
  /**
   * The decoder for the detected encoding (`bom`: bytes of byte-order mark skipped). Default:
   * TextDecoder, which replaces undecodable bytes by U+FFFD; the importer passes one that
   * reports them with their byte offsets.
   */
  decoder?: (encoding: { label: string; bom: number }) => XmlChunkDecoder;
}

/** Reads an XML file in a registered format; `format` is the format's id. Throws ReaderError as the readers do. */
export async function readXmlFile(path: string, formats: FormatList = FORMATS, options: ReadXmlFileOptions = {}): Promise<ReaderResult & { format: string }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK);
    let { bytesRead } = await handle.read(buffer, 0, HEAD, 0);
    let position = bytesRead;
    const encoding = xmlFileEncoding(buffer.subarray(0, bytesRead));
    const { label, bom } = encoding;
    const decoder = options.decoder?.(encoding) ?? new TextDecoder(label);
    const head = decoder.decode(buffer.subarray(bom, bytesRead), { stream: true });
    const format = detectXmlFormat(head, formats);
    const skips = new Set(format?.readSkips ?? []);
    const pruner = new XmlPruner(skips);
    const kept: string[] = [pruner.push(head)];
    for (;;) {
      ({ bytesRead } = await handle.read(buffer, 0, CHUNK, position));
      if (bytesRead === 0) break;
      position += bytesRead;
      kept.push(pruner.push(decoder.decode(buffer.subarray(0, bytesRead), { stream: true })));
    }
    kept.push(pruner.push(decoder.decode()), pruner.end());
    const text = kept.join('');
    if (!format?.read) return readAnyXml(text, formats);
    return { ...format.read(text), format: format.id };
  } finally {
    await handle.close();
  }
}
