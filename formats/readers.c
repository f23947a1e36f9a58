/*
 * readers.c - the inputs profview reads: profile formats, tried in this
 * order on a file's first bytes (sniff), and containers (archives,
 * compressed files).  A new format is a pv_reader or pv_container in its
 * own file and one line here: a directory walk reads the names their
 * suffixes declare, so nothing else changes.
 */
#include "reader.h"

const pv_reader *const pv_readers[] = {
	&pv_reader_marshal,
	NULL,
};

const pv_container *const pv_containers[] = {
	&pv_container_archive,
	NULL,
};
