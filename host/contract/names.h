/* names.h - the destination's spelling of table and column names. */
#ifndef HOST_NAMES_H
#define HOST_NAMES_H

/* Writes the destination form of a name into a new string; NULL when out of memory. */
char *normalize_name(const char *name);

#endif
