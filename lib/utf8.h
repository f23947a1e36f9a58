/*
 * utf8.h - one code point of the model's text, as Python reads it (lib/
 * only, not part of the API): pyrepr.c's repr() and regex.c's subjects and
 * patterns decode with it, so both see the same characters.
 */
#ifndef PV_UTF8_H
#define PV_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The code point at s[0, n) (n > 0) and its length in bytes in *k.  A
 * surrogate is a code point like any other (the model keeps lone ones in
 * their 3-byte form, CPython's surrogatepass); a byte that starts no valid
 * sequence is U+DC00 + byte, one byte long, as Python decodes a
 * command-line argument (surrogateescape). */
static inline uint32_t pv_utf8_decode(const unsigned char *s, size_t n, size_t *k)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	uint32_t c = s[0];
	size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2
			    : c >= 0xe0 && c <= 0xef       ? 3
			    : c >= 0xf0 && c <= 0xf4       ? 4
							   : 0;
	*k = 1;
	if (len == 1)
		return c;
	if (!len || len > n)
		return 0xdc00 + c;
	uint32_t cp = c & (0x7fu >> len);
	for (size_t j = 1; j < len; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0xdc00 + c;
		cp = cp << 6 | (s[j] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff)
		return 0xdc00 + c;
	*k = len;
	return cp;
}

#endif
