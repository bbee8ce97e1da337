// Creative Commons licence URLs to their SPDX identifiers and names, for formats that name a
// licence beside its URL (DataCite rights, OpenAIRE licenseCondition). Only what the URL itself
// says: any other licence is known by its URL alone.

export interface KnownLicense {
  /** SPDX identifier (https://spdx.org/licenses/), when SPDX lists the licence. */
  spdx?: string;
  /** The licence's own title, e.g. "Creative Commons Attribution 4.0 International". */
  name: string;
}

const ELEMENT_NAMES: Record<string, string> = { by: 'Attribution', nc: 'NonCommercial', sa: 'ShareAlike' };

// https://creativecommons.org/licenses/by-nc-sa/4.0/ (optionally a jurisdiction port: .../3.0/de/)
const CC_LICENSE = /^https?:\/\/(?:www\.)?creativecommons\.org\/licenses\/(by(?:-nc)?(?:-nd|-sa)?)\/(\d\.\d)(?:\/([a-z]{2}))?\/?(?:legalcode(?:\.[a-z-]+)?)?$/i;
const CC_ZERO = /^https?:\/\/(?:www\.)?creativecommons\.org\/publicdomain\/zero\/1\.0\/?(?:legalcode(?:\.[a-z-]+)?)?$/i;

/** SPDX id and title of a Creative Commons licence URL; undefined for any other URL. */
export function creativeCommonsLicense(url: string): KnownLicense | undefined {
  const trimmed = url.trim();
  if (CC_ZERO.test(trimmed)) return { spdx: 'CC0-1.0', name: 'Creative Commons Zero v1.0 Universal' };
  const match = CC_LICENSE.exec(trimmed);
  if (!match) return undefined;
  const elements = match[1]!.toLowerCase().split('-');
  const version = match[2]!;
  const port = match[3]?.toUpperCase();
  // "NoDerivatives" since 4.0; "NoDerivs" before.
  const names = elements.map((e) => (e === 'nd' ? (version === '4.0' ? 'NoDerivatives' : 'NoDerivs') : ELEMENT_NAMES[e]!));
  const scope = port ?? (version === '4.0' ? 'International' : version === '3.0' ? 'Unported' : 'Generic');
  const name = `Creative Commons ${names.join('-')} ${version} ${scope}`;
  // SPDX lists the unported licences (and only some ports, which are left unnamed here).
  const spdx = port ? undefined : `CC-${elements.map((e) => e.toUpperCase()).join('-')}-${version}`;
  return spdx ? { spdx, name } : { name };
}
