import { CliError, ExitCode } from './exit-codes';
import { asPrefix, hasScheme, parseStoreUrl, requireKey } from './store-url';

describe('parseStoreUrl', () => {
  test.each([
    ['s3://bucket/prefix/', 's3', 'bucket', 'prefix/'],
    ['s3://bucket', 's3', 'bucket', ''],
    ['gs://b/a/b/c.txt', 'gs', 'b', 'a/b/c.txt'],
    ['az://container/x y/ü.bin', 'az', 'container', 'x y/ü.bin'],
    ['S3://Bucket/Key', 's3', 'Bucket', 'Key'],
    ['local:///srv/store/', 'local', '/srv/store/', ''],
    ['local://./data/', 'local', './data/', ''],
  ])('%s', (text, scheme, bucket, path) => {
    expect(parseStoreUrl(text)).toEqual({ scheme, bucket, path, text });
  });

  test.each([
    ['ftp://host/x', 'Unknown scheme "ftp://"'],
    ['gcs://bucket/', 'gs://bucket/prefix/'],
    ['https://example.com/file', 'filexfer download <url>'],
    ['bucket/prefix', 'is not a store URL'],
    ['s3:///key', 'has no bucket name'],
    ['az://', 'has no container name'],
    ['s3://bucket//key', '"//"'],
    ['local://', 'needs a folder'],
  ])('%s is refused with exit code 3', (text, words) => {
    let caught: unknown;
    try {
      parseStoreUrl(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(ExitCode.BAD_STORE_URL);
    expect(`${(caught as CliError).message} ${(caught as CliError).hint ?? ''}`).toContain(words);
  });

  test('prefixes and keys', () => {
    expect(asPrefix('')).toBe('');
    expect(asPrefix('a')).toBe('a/');
    expect(asPrefix('a/')).toBe('a/');
    const url = parseStoreUrl('s3://b/dir/');
    expect(() => requireKey(url, url.path)).toThrow('names no object');
    expect(requireKey(url, 'dir/file')).toBe('dir/file');
    expect(hasScheme('s3://x')).toBe(true);
    expect(hasScheme('/tmp/x')).toBe(false);
  });
});
