/* summary.h - the end-of-sync report. */
#ifndef HOST_SUMMARY_H
#define HOST_SUMMARY_H

#include <stdio.h>

#include "rows.h"
#include "sink.h"

/*
 * Prints per-table and total counts of the operations committed and, when
 * the sync failed, of those rolled back; each table's rows in the warehouse
 * (rows may be NULL: not counted); the elapsed time; and SYNC SUCCEEDED or
 * SYNC FAILED: reason. In text, or as one JSON object (json), the stable
 * interface for scripts (README, "The summary"). status is the exit status:
 * EXIT_BUSY says another worker has the connector, so try again later.
 */
void summary_print(FILE *out, const sink *s, const warehouse_rows *rows, int json, double seconds,
                   const char *failure, int status);

/* Prints the result of a sync that failed before any operation ran, with its exit status. */
void summary_print_failure(FILE *out, const char *connector, int json, const char *failure,
                           int status);

#endif
