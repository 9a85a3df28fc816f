/*
 * evolve.c - schema evolution: a column that was not declared takes its
 * type from its first non-NULL value and widens, without loss, for later
 * values (SHORT < INT < LONG < DECIMAL or DOUBLE, FLOAT < DOUBLE, else
 * STRING), converting what the warehouse already holds. Declared columns
 * never change here. The sink calls it before it converts a row.
 */
#include "evolve.h"

#include <stdio.h>
#include <string.h>

#include "contract/formats.h"

/* The type an undeclared column takes from a value. */
static type_spec value_type(const value *v)
{
    type_spec ts = {v->type, 0, 0};
    if (v->type == T_DECIMAL) {
        ts.precision = DECIMAL_MAX_PRECISION;
        ts.scale = decimal_scale_of(v->ptr);
    }
    return ts;
}

static void set_column_type(column_def *col, type_spec ts)
{
    col->type = ts.type;
    col->precision = ts.precision;
    col->scale = ts.scale;
}

/* "'name'", or "'name' (as 'dest')" when the destination spells it otherwise. */
static const char *both_names(const char *name, const char *dest_name, char *buf, size_t size)
{
    if (strcmp(name, dest_name) == 0)
        snprintf(buf, size, "'%s'", name);
    else
        snprintf(buf, size, "'%s' (as '%s')", name, dest_name);
    return buf;
}

void evolve_log_new_column(sink *s, const table_def *t, const column_def *col)
{
    char tn[160], cn[160], type[32];
    log_msg(s->log, CH_LOG_INFO, "host", "table %s: new column %s of type %s",
            both_names(t->name, t->dest_name, tn, sizeof tn),
            both_names(col->name, col->dest_name, cn, sizeof cn),
            type_format(col->type, col->precision, col->scale, type, sizeof type));
}

/*
 * Widens an undeclared column so that the value fits without loss. The
 * warehouse's values are converted too; when one of them does not convert
 * exactly, the column becomes STRING, which holds them all.
 */
static int widen(sink *s, table_def *t, sink_table *rt, size_t c, const value *v)
{
    column_def *col = &t->cols[c];
    type_spec from = {col->type, col->precision, col->scale}, to = value_type(v);
    char tn[160], cn[160], a[32], b[32];
    ch_error err;
    int lossy = 0;
    to.type = type_widen(from.type, to.type);
    if (to.type == T_DECIMAL) {
        int scale = from.type == T_DECIMAL ? from.scale : 0;
        if (v->type == T_DECIMAL && decimal_scale_of(v->ptr) > scale)
            scale = decimal_scale_of(v->ptr);
        to.precision = DECIMAL_MAX_PRECISION;
        to.scale = scale;
    } else {
        to.precision = to.scale = 0;
    }
    if (to.type == from.type && to.scale == from.scale) {
        if (value_convert(v, from.type, from.precision, from.scale, &s->scratch, &err) == CH_OK)
            return CH_OK;
        if (from.type == T_STRING)
            return CH_OK;   /* nothing is wider: the conversion error is reported later */
        to.type = T_STRING; /* e.g. a LONG beyond 2^53 for a DOUBLE column */
        to.precision = to.scale = 0;
    }
    if (to.type != T_STRING &&
        value_convert(v, to.type, to.precision, to.scale, &s->scratch, &err) != CH_OK)
        to.type = T_STRING, to.precision = to.scale = 0;
    if (sink_settle(s) != CH_OK)
        return CH_ERROR;
    if (rt->prepared && col->in_warehouse) {
        int rc = s->dest->ops->change_type(s->dest, t, c, from, to, &lossy, &err);
        if (rc != CH_OK && lossy && to.type != T_STRING) {
            to.type = T_STRING, to.precision = to.scale = 0;
            rc = s->dest->ops->change_type(s->dest, t, c, from, to, &lossy, &err);
        }
        if (sink_take_reports(s, 1) != CH_OK) /* from the merge before the change */
            return CH_ERROR;
        if (rc != CH_OK)
            return sink_op_fail(s, col->name, "cannot widen from %s to %s: %s",
                                type_format(from.type, from.precision, from.scale, a, sizeof a),
                                type_format(to.type, to.precision, to.scale, b, sizeof b), err.msg);
        rt->counts.schema_changes++;
    }
    set_column_type(col, to);
    log_msg(s->log, CH_LOG_INFO, "host", "table %s: column %s widened from %s to %s",
            both_names(t->name, t->dest_name, tn, sizeof tn),
            both_names(col->name, col->dest_name, cn, sizeof cn),
            type_format(from.type, from.precision, from.scale, a, sizeof a),
            type_format(to.type, to.precision, to.scale, b, sizeof b));
    return CH_OK;
}

/*
 * Adds the columns a row brings, types undeclared ones from their first
 * value and widens them for later values. Before the table is prepared,
 * new columns are only noted: preparing creates them with the table, or
 * learns their stored types from the warehouse.
 */
int evolve_row(sink *s, table_def *t, sink_table *rt, const ch_row *row)
{
    ch_error err;
    for (size_t i = 0; i < row->count; i++) {
        const field *f = &row->fields[i];
        long c = row_field_column(f, t, i);
        column_def *col;
        if (!evolve_wanted(t, c, f))
            continue; /* a NULL neither adds nor types a column, nor does a declared one change */
        if (c < 0 && sink_settle(s) != CH_OK)
            return CH_ERROR; /* the writer must not see the table change under it */
        if (c < 0 && rt->prepared)
            c = table_adopt_column(t, f->name); /* "Foo Bar" for the warehouse's foo_bar */
        if (c < 0) {
            type_spec ts = value_type(&f->v);
            c = table_add_column(t, f->name, ts.type, ts.precision, ts.scale, 0, &err);
            if (c < 0)
                return sink_fail(s, "%s", err.msg);
            if (rt->prepared) {
                int rc = s->dest->ops->add_column(s->dest, t, (size_t)c, &err);
                if (sink_take_reports(s, 1) != CH_OK)
                    return CH_ERROR;
                if (rc != CH_OK)
                    return sink_op_fail(s, f->name, "%s", err.msg);
                rt->counts.schema_changes++;
                t->cols[c].in_warehouse = 1;
                evolve_log_new_column(s, t, &t->cols[c]);
            }
            continue;
        }
        if (!evolve_wanted(t, c, f))
            continue; /* a column adopted above may need nothing */
        col = &t->cols[c];
        if (col->type == T_NONE && !rt->prepared) {
            if (sink_settle(s) != CH_OK)
                return CH_ERROR;
            set_column_type(col, value_type(&f->v)); /* an undeclared key column */
            continue;
        }
        if (widen(s, t, rt, (size_t)c, &f->v) != CH_OK)
            return CH_ERROR;
    }
    return CH_OK;
}
