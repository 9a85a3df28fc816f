/* summary.h - the end-of-sync report. */
#ifndef HOST_SUMMARY_H
#define HOST_SUMMARY_H

#include <stdio.h>

#include "sink.h"

/* Prints per-table and total counts, elapsed time and SYNC SUCCEEDED / SYNC FAILED: reason. */
void summary_print(FILE *out, const sink *s, int json, double seconds, const char *failure);

/* Prints the result of a sync that failed before any operation ran. */
void summary_print_failure(FILE *out, const char *connector, int json, const char *failure);

#endif
