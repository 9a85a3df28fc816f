/* names.h - the destination's spelling of table and column names. */
#ifndef HOST_NAMES_H
#define HOST_NAMES_H

/* Tables and columns are spelled alike but for their leading underscores. */
typedef enum name_kind { NAME_TABLE, NAME_COLUMN } name_kind;

/*
 * Writes the destination form of a name into a new string, by the rule of
 * Fivetran's Connector SDK: lower-case snake_case with a '_' where a word
 * starts, letters with diacritics transliterated, every other character
 * '_', runs of '_' as one; a table loses a leading '_' before a letter.
 * NULL when out of memory.
 */
char *normalize_name(const char *name, name_kind kind);

/*
 * The destination form of a name by the host's first rule (lower case, a
 * '_' for each other character, a '_' before a leading digit), which names
 * the tables and columns of warehouses written before the SDK's rule; they
 * are still found under it. NULL when out of memory.
 */
char *normalize_name_v1(const char *name);

#endif
