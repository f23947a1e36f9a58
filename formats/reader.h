/*
 * reader.h - for reader authors: the readers and containers that
 * readers.c (beside this file) lists, and the helpers they share with lib/
 * (util.h).  The pv_reader and pv_container structs themselves are in
 * lib/pv.h: they are pv_load's interface, which lib/ implements and a
 * library user may plug a reader of its own into.  A new input format is a
 * pv_reader in formats/<name>.c, its extern here and one line in
 * readers.c.
 */
#ifndef PV_READER_H
#define PV_READER_H

#include "../lib/pv.h"
#include "../lib/util.h"

extern const pv_reader pv_reader_marshal; /* formats/marshal.c */
/* Set, the marshal reader takes its general path for every object, not
 * the one-step reads of the common shapes (the fuzz target compares). */
extern int pv_marshal_general_only;
extern const pv_container pv_container_archive; /* formats/archive.c */

#endif
