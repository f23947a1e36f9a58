/*
 * protobuf.h - the little of protobuf's wire format an exporter needs
 * (https://protobuf.dev/programming-guides/encoding/): a growing byte
 * buffer, varints, length-delimited fields, packed repeated integers, and a
 * string table whose index 0 is "" (pprof's profile.proto).
 *
 * A field is its key, varint (number << 3 | wire type), then its value:
 * wire type 0 a varint, 2 a varint length and that many bytes (a string, a
 * sub-message, or packed varints).  Errors (out of memory) stick to the
 * buffer: later writes do nothing and pb_buf.failed says so.
 */
#ifndef PV_PROTOBUF_H
#define PV_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/util.h"

typedef struct pb_buf {
	uint8_t *b;
	size_t n, cap;
	int failed;
} pb_buf;

enum { PB_VARINT = 0,
       PB_LEN = 2 };

void pb_free(pb_buf *p);
/* Bytes a varint of v takes (1 to 10). */
size_t pb_varint_size(uint64_t v);
void pb_raw(pb_buf *p, const void *s, size_t n);
void pb_varint(pb_buf *p, uint64_t v);
void pb_key(pb_buf *p, uint32_t field, int wire);
/* A varint field (int64 as two's complement, as protobuf writes it). */
void pb_uint(pb_buf *p, uint32_t field, uint64_t v);
void pb_int(pb_buf *p, uint32_t field, int64_t v);
void pb_bytes(pb_buf *p, uint32_t field, const void *s, size_t n);
/* A packed repeated field of n varints (nothing when n is 0). */
void pb_packed(pb_buf *p, uint32_t field, const uint64_t *v, size_t n);
/* A sub-message: pb_begin writes the key and keeps room for the length;
 * pb_end(p, pb_begin(...)) closes it (moving the body when the length
 * takes more than one byte). */
size_t pb_begin(pb_buf *p, uint32_t field);
void pb_end(pb_buf *p, size_t at);

/* A string table: every distinct string once, in first-use order, as
 * repeated field `field` in its own buffer; index 0 is "". */
typedef struct pb_strtab {
	pb_buf enc; /* the encoded fields, to append to the message */
	pv_map ids; /* hash of the string -> index + 1 */
	uint32_t n;
	uint32_t field;
	int failed;
} pb_strtab;

/* 0 or PV_ENOMEM. */
int pb_strtab_init(pb_strtab *t, uint32_t field);
void pb_strtab_free(pb_strtab *t);
/* The index of s (added when new); 0 for "" and when out of memory
 * (t->failed then says so). */
uint32_t pb_str(pb_strtab *t, const char *s, size_t n);

#endif
