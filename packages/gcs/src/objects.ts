/**
 * Object facts from a signed `GET` with `Range: bytes=0-0`: the XML API reply
 * carries the size (Content-Range), the whole-object x-goog-hash, ETag and type,
 * and costs one byte. A signed GET is used rather than HEAD because the SDK
 * signs GET, PUT, POST and DELETE only; rather than the JSON API because that
 * would need an OAuth token besides the signing key.
 * https://cloud.google.com/storage/docs/xml-api/get-object-download
 */
import type { ObjectInfo, StoreResponse } from '@filexfer/core';
import { parseGoogHash } from './errors.js';

/** CRC32C and MD5 of zero bytes: what an empty object's hashes must be. */
const EMPTY = { crc32c: 'AAAAAA==', md5: '1B2M2Y8AsgTpgAmY7PhCfg==' };

export const STAT_RANGE = 'bytes=0-0';

/** Reads a 200/206/416 reply to the one-byte GET; undefined for other statuses. */
export function objectInfoFromReply(key: string, response: StoreResponse): ObjectInfo | undefined {
  const h = response.headers;
  let size: number | undefined;
  if (response.status === 206) size = totalOf(h['content-range']);
  else if (response.status === 200) size = numberOf(h['x-goog-stored-content-length']) ?? numberOf(h['content-length']);
  // 416: the object exists but has no byte 0, i.e. it is empty (Content-Range: bytes */0).
  else if (response.status === 416) size = totalOf(h['content-range']) ?? 0;
  if (size === undefined) return undefined;
  const hashes = parseGoogHash(h['x-goog-hash']);
  const info: ObjectInfo = { key, size };
  const crc32c = hashes.crc32c ?? (size === 0 ? EMPTY.crc32c : undefined);
  const md5 = hashes.md5 ?? (size === 0 ? EMPTY.md5 : undefined);
  if (crc32c) info.crc32c = crc32c;
  if (md5) info.md5 = md5;
  const etag = h.etag?.replace(/^W\//, '').replace(/^"|"$/g, '');
  if (etag) info.etag = etag;
  if (h['content-type'] && response.status !== 416) info.contentType = h['content-type'];
  if (h['last-modified']) info.lastModified = new Date(h['last-modified']);
  return info;
}

function totalOf(contentRange: string | undefined): number | undefined {
  const match = /\/(\d+)\s*$/.exec(contentRange ?? '');
  return match ? Number(match[1]) : undefined;
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
