// Readers: XML (JATS, Crossref deposits, oai_dc) to article records. Pure functions of the XML string.
export { readJats } from '../jats/reader.js';
export { readCrossref } from '../crossref/reader.js';
export { readOaiDc } from '../oai_dc/reader.js';
export { readAnyXml } from './any.js';
export { readXmlFile } from './file.js';
export { ReaderError, decodeXmlFileBytes, type ReaderResult, type ReaderWarning } from './xml.js';
