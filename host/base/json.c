/* json.c - reading JSON files with exact error positions; writing trees back. */
#include "json.h"

#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads what is left of f into a NUL-terminated buffer; closes f. */
static int read_stream(FILE *f, const char *path, char **text, size_t *len, ch_error *err)
{
    char *buf = NULL;
    size_t size = 0, cap = 0, n;
    do {
        if (cap - size < 4096) {
            char *grown;
            cap = cap ? cap * 2 : 8192;
            grown = realloc(buf, cap);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return err_set(err, "%s: out of memory", path);
            }
            buf = grown;
        }
        n = fread(buf + size, 1, cap - size - 1, f);
        size += n;
    } while (n > 0);
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return err_set(err, "%s: read error", path);
    }
    fclose(f);
    buf[size] = '\0';
    *text = buf;
    *len = size;
    return CH_OK;
}

int file_read_all(const char *path, char **text, size_t *len, ch_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return err_set(err, "%s: %s", path, strerror(errno));
    return read_stream(f, path, text, len, err);
}

const char *file_kind(mode_t mode)
{
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "a special file";
}

int file_read_regular(const char *path, char **text, size_t *len, ch_error *err)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer that never comes */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    FILE *f;
    if (fd < 0)
        return err_set(err, "%s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0) {
        int saved = errno;
        close(fd);
        return err_set(err, "%s: %s", path, strerror(saved));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return err_set(err, "%s is %s, not a regular file; remove it", path, file_kind(sb.st_mode));
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if ((f = fdopen(fd, "rb")) == NULL) {
        close(fd);
        return err_set(err, "%s: out of memory", path);
    }
    return read_stream(f, path, text, len, err);
}

int json_error_at(ch_error *err, const char *where, const char *text, size_t len, size_t offset,
                  const char *message)
{
    size_t line = 1, col = 1;
    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    return err_set(err, "%s:%zu:%zu: %s", where, line, col, message);
}

/* Turns yajl's "parse error: x\n" into "x" for our messages. */
static void clean_message(const char *raw, char *out, size_t size)
{
    const char *p = strncmp(raw, "parse error: ", 13) == 0 ? raw + 13 : raw;
    size_t n = strcspn(p, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* yajl reports offsets just past a token; users want its first character. */
size_t json_token_start(const char *text, size_t offset)
{
    size_t i = offset;
    if (i == 0)
        return 0;
    if (text[i - 1] == '"' && i >= 2) {
        i -= 2;
        while (i > 0 && !(text[i] == '"' && text[i - 1] != '\\'))
            i--;
        return i;
    }
    if (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '.' || text[i - 1] == '-' ||
        text[i - 1] == '+') {
        while (i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '.' ||
                         text[i - 1] == '-' || text[i - 1] == '+'))
            i--;
        return i;
    }
    return i - 1;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* Checks the string whose opening quote is at text[i]; sets *end past its closing quote. */
static int check_string(const char *text, size_t len, size_t i, size_t *end, const char *where,
                        ch_error *err)
{
    size_t start = i++;
    while (i < len && text[i] != '"') {
        unsigned cp, low;
        size_t n;
        if (text[i] != '\\') {
            n = utf8_sequence(text + i, len - i);
            if (n == 0)
                return json_error_at(err, where, text, len, start, "string is not valid UTF-8");
            i += n;
            continue;
        }
        if (i + 1 < len && text[i + 1] != 'u') {
            i += 2;
            continue;
        }
        if (i + 6 > len || !hex4(text + i + 2, &cp))
            return CH_OK; /* yajl accepted the text, so this cannot happen */
        if (cp == 0)
            return json_error_at(err, where, text, len, start,
                                 "string contains a NUL character (\\u0000)");
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return json_error_at(err, where, text, len, start,
                                 "string is not valid UTF-8 (a lone surrogate escape)");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (i + 12 > len || text[i + 6] != '\\' || text[i + 7] != 'u' ||
                !hex4(text + i + 8, &low) || low < 0xDC00 || low > 0xDFFF)
                return json_error_at(err, where, text, len, start,
                                     "string is not valid UTF-8 (a lone surrogate escape)");
            i += 6;
        }
        i += 6;
    }
    *end = i + 1;
    return CH_OK;
}

int json_check_text(const char *text, size_t len, const char *where, ch_error *err)
{
    size_t i = 0;
    int depth = 0;
    char message[64];
    while (i < len) {
        char c = text[i];
        if (c == '"') {
            if (check_string(text, len, i, &i, where, err) != CH_OK)
                return CH_ERROR;
            continue;
        }
        if (c == '[' || c == '{') {
            if (++depth > JSON_MAX_DEPTH) {
                snprintf(message, sizeof message, "nested deeper than %d levels", JSON_MAX_DEPTH);
                return json_error_at(err, where, text, len, i, message);
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
        i++;
    }
    return CH_OK;
}

int json_parse_tree(const char *text, size_t len, const char *where, yajl_val *tree, ch_error *err)
{
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    yajl_status st;
    char buf[256];
    if (h == NULL)
        return err_set(err, "%s: out of memory", where);
    st = yajl_parse(h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st != yajl_status_ok) {
        unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
        size_t at = yajl_get_bytes_consumed(h);
        /* At the end of input yajl reports no offset: point past the last byte. */
        if (len > 0 && strstr((const char *)msg, "premature EOF"))
            at = len;
        else
            at = json_token_start(text, at);
        clean_message((const char *)msg, buf, sizeof buf);
        yajl_free_error(h, msg);
        yajl_free(h);
        if (len == 0)
            return err_set(err, "%s: empty file, expected JSON", where);
        return json_error_at(err, where, text, len, at, buf);
    }
    yajl_free(h);
    if (json_check_text(text, len, where, err) != CH_OK)
        return CH_ERROR;
    *tree = yajl_tree_parse(text, buf, sizeof buf);
    if (*tree == NULL)
        return err_set(err, "%s: %s", where, buf);
    return CH_OK;
}

int json_gen_cstring(yajl_gen gen, const char *text)
{
    return yajl_gen_string(gen, (const unsigned char *)text, strlen(text)) == yajl_gen_status_ok
               ? CH_OK
               : CH_ERROR;
}

int json_gen_tree(yajl_gen gen, yajl_val v)
{
    yajl_gen_status st = yajl_gen_status_ok;
    switch (v->type) {
    case yajl_t_string:
        return json_gen_cstring(gen, v->u.string);
    case yajl_t_number:
        st = yajl_gen_number(gen, v->u.number.r, strlen(v->u.number.r));
        break;
    case yajl_t_true:
    case yajl_t_false:
        st = yajl_gen_bool(gen, v->type == yajl_t_true);
        break;
    case yajl_t_null:
        st = yajl_gen_null(gen);
        break;
    case yajl_t_object:
        st = yajl_gen_map_open(gen);
        for (size_t i = 0; st == yajl_gen_status_ok && i < v->u.object.len; i++) {
            if (json_gen_cstring(gen, v->u.object.keys[i]) != CH_OK ||
                json_gen_tree(gen, v->u.object.values[i]) != CH_OK)
                return CH_ERROR;
        }
        if (st == yajl_gen_status_ok)
            st = yajl_gen_map_close(gen);
        break;
    case yajl_t_array:
        st = yajl_gen_array_open(gen);
        for (size_t i = 0; st == yajl_gen_status_ok && i < v->u.array.len; i++)
            if (json_gen_tree(gen, v->u.array.values[i]) != CH_OK)
                return CH_ERROR;
        if (st == yajl_gen_status_ok)
            st = yajl_gen_array_close(gen);
        break;
    default:
        return CH_ERROR;
    }
    return st == yajl_gen_status_ok ? CH_OK : CH_ERROR;
}
