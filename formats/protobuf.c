/*
 * protobuf.c - protobuf's wire format, the encoding side (protobuf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"

void pb_free(pb_buf *p)
{
	free(p->b);
	memset(p, 0, sizeof(*p));
}

static int room(pb_buf *p, size_t n)
{
	if (p->failed)
		return 0;
	if (n > SIZE_MAX - p->n || pv_grow(&p->b, &p->cap, p->n + n, 1) < 0) {
		p->failed = 1;
		return 0;
	}
	return 1;
}

size_t pb_varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void pb_raw(pb_buf *p, const void *s, size_t n)
{
	if (!n || !room(p, n))
		return;
	memcpy(p->b + p->n, s, n);
	p->n += n;
}

static size_t put_varint(uint8_t *d, uint64_t v)
{
	size_t k = 0;
	while (v >= 0x80) {
		d[k++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	d[k++] = (uint8_t)v;
	return k;
}

void pb_varint(pb_buf *p, uint64_t v)
{
	if (room(p, 10))
		p->n += put_varint(p->b + p->n, v);
}

void pb_key(pb_buf *p, uint32_t field, int wire)
{
	pb_varint(p, (uint64_t)field << 3 | (uint64_t)wire);
}

void pb_uint(pb_buf *p, uint32_t field, uint64_t v)
{
	pb_key(p, field, PB_VARINT);
	pb_varint(p, v);
}

void pb_int(pb_buf *p, uint32_t field, int64_t v)
{
	pb_uint(p, field, (uint64_t)v);
}

void pb_bytes(pb_buf *p, uint32_t field, const void *s, size_t n)
{
	pb_key(p, field, PB_LEN);
	pb_varint(p, n);
	pb_raw(p, s, n);
}

void pb_packed(pb_buf *p, uint32_t field, const uint64_t *v, size_t n)
{
	if (!n)
		return;
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += pb_varint_size(v[i]);
	pb_key(p, field, PB_LEN);
	pb_varint(p, len);
	if (!room(p, len))
		return;
	for (size_t i = 0; i < n; i++)
		p->n += put_varint(p->b + p->n, v[i]);
}

size_t pb_begin(pb_buf *p, uint32_t field)
{
	pb_key(p, field, PB_LEN);
	if (!room(p, 1))
		return 0;
	p->b[p->n++] = 0;
	return p->n;
}

void pb_end(pb_buf *p, size_t at)
{
	if (p->failed || !at)
		return;
	size_t len = p->n - at, k = pb_varint_size(len);
	if (k > 1) {
		if (!room(p, k - 1))
			return;
		memmove(p->b + at + k - 1, p->b + at, len);
		p->n += k - 1;
	}
	put_varint(p->b + at - 1, len);
}

int pb_strtab_init(pb_strtab *t, uint32_t field)
{
	memset(t, 0, sizeof(*t));
	t->field = field;
	pb_bytes(&t->enc, field, "", 0); /* index 0: "" */
	t->n = 1;
	return t->enc.failed ? PV_ENOMEM : 0;
}

void pb_strtab_free(pb_strtab *t)
{
	pb_free(&t->enc);
	pv_map_free(&t->ids);
}

uint32_t pb_str(pb_strtab *t, const char *s, size_t n)
{
	if (!n || t->failed)
		return 0;
	uint64_t h = pv_hash_bytes(s, n);
	uint32_t v = pv_map_get(&t->ids, h);
	if (v)
		return v - 1;
	if (t->n == UINT32_MAX - 1 || pv_map_put(&t->ids, h, t->n + 1) < 0) {
		t->failed = 1;
		return 0;
	}
	pb_bytes(&t->enc, t->field, s, n);
	if (t->enc.failed) {
		t->failed = 1;
		return 0;
	}
	return t->n++;
}
