import { isUtf8Of } from './utf8-bytes';

describe('isUtf8Of', () => {
  it('compares ASCII text byte by byte, length included', () => {
    expect(isUtf8Of(Buffer.from('ce_type'), 'ce_type')).toBe(true);
    expect(isUtf8Of(Buffer.from('ce_typ'), 'ce_type')).toBe(false);
    expect(isUtf8Of(Buffer.from('ce_types'), 'ce_type')).toBe(false);
    expect(isUtf8Of(Buffer.from('CE_TYPE'), 'ce_type')).toBe(false);
  });

  it('compares text that is not ASCII by decoding the bytes', () => {
    expect(isUtf8Of(Buffer.from('réseau'), 'réseau')).toBe(true);
    expect(isUtf8Of(Buffer.from('réseaux'), 'réseau')).toBe(false);
    expect(isUtf8Of(Buffer.from('reseau'), 'réseau')).toBe(false);
    expect(isUtf8Of(Buffer.from('agent 😀'), 'agent 😀')).toBe(true);
  });

  it('treats no bytes as the empty text', () => {
    expect(isUtf8Of(Buffer.from(''), '')).toBe(true);
    expect(isUtf8Of(null, '')).toBe(true);
    expect(isUtf8Of(undefined, '')).toBe(true);
    expect(isUtf8Of(null, 'a')).toBe(false);
  });
});
