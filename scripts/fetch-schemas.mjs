#!/usr/bin/env node
// Fills schemas/official/ with the official XSDs listed in schemas/xsd-manifest.json.
// Source order: PUBMETA_SCHEMA_MIRROR, then ../shared/schemas when it exists, then the
// canonical URLs. Every file is checked against its sha256; a mismatch aborts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(projectRoot, 'schemas/xsd-manifest.json'), 'utf8'));
const target = join(projectRoot, 'schemas/official');

const defaultMirror = resolve(projectRoot, '../shared/schemas');
const mirror = process.env.PUBMETA_SCHEMA_MIRROR
  ? resolve(process.env.PUBMETA_SCHEMA_MIRROR)
  : existsSync(defaultMirror) ? defaultMirror : undefined;

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

async function obtain(entry) {
  if (mirror) {
    const path = join(mirror, entry.file);
    if (!existsSync(path)) throw new Error(`${entry.file}: not found in mirror ${mirror}`);
    return { bytes: readFileSync(path), from: path };
  }
  const res = await fetch(entry.url, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`${entry.file}: HTTP ${res.status} from ${entry.url}`);
  return { bytes: Buffer.from(await res.arrayBuffer()), from: entry.url };
}

let copied = 0;
let kept = 0;
for (const entry of manifest.files) {
  const dest = join(target, entry.file);
  if (existsSync(dest) && sha256(readFileSync(dest)) === entry.sha256) {
    kept++;
    continue;
  }
  const { bytes, from } = await obtain(entry);
  const actual = sha256(bytes);
  if (actual !== entry.sha256) {
    console.error(`fetch-schemas: ${entry.file} from ${from} has sha256 ${actual}, manifest says ${entry.sha256}`);
    process.exit(1);
  }
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(`${dest}.tmp`, bytes);
  renameSync(`${dest}.tmp`, dest);
  copied++;
}
console.log(`fetch-schemas: ${copied} fetched, ${kept} already present, from ${mirror ?? 'canonical URLs'} into schemas/official/`);
