import { checkKey, pathForKey } from './keys.js';

test.each([
  ['../etc/passwd'],
  ['a/../../b'],
  ['/abs'],
  ['a//b'],
  ['./a'],
  ['a\\..\\b'],
  ['.filexfer/meta/x'],
  ['nul\0byte'],
  [''],
  ['x'.repeat(1025)],
])('refuses key %j', (key) => {
  expect(() => checkKey(key)).toThrow(expect.objectContaining({ code: 'InvalidInput' }));
});

test('accepts ordinary keys and keeps them under the root', () => {
  expect(pathForKey('/srv/store', 'photos/2026/cat.jpg')).toBe('/srv/store/photos/2026/cat.jpg');
  expect(pathForKey('/srv/store', 'ünïcode name.txt')).toBe('/srv/store/ünïcode name.txt');
  expect(() => checkKey('..hidden/..x')).not.toThrow();
});
