/*
 * ch_http.c - statements over ClickHouse's HTTP interface, through libcurl.
 *
 * One easy handle is kept for the destination, so its connection is reused.
 * The user and password go as HTTP basic authentication, never in the URL,
 * so no message (libcurl's, the server's, the host's) can show them.
 * wait_end_of_query makes the server answer only when the statement is
 * done: an error then comes as an HTTP status, never after half an answer.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"

/* libcurl's write callback: appends to the answer. */
static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    textbuf *b = arg;
    textbuf_addn(b, data, size * n);
    return b->oom ? 0 : size * n;
}

/* The server's message, one line: "Code: 60, e.displayText() = DB::Exception: X, e.what()..." */
static const char *server_message(const char *body, char *buf, size_t size)
{
    const char *p = strstr(body, "e.displayText() = "), *end;
    size_t n;
    if (p) {
        p += strlen("e.displayText() = ");
        end = strstr(p, ", e.what()");
    } else {
        p = body;
        end = NULL;
    }
    if (strncmp(p, "DB::Exception: ", 15) == 0)
        p += 15;
    n = end ? (size_t)(end - p) : strcspn(p, "\n");
    if (n >= size)
        n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '.'))
        buf[--n] = '\0';
    return buf;
}

int chd_run(chd_dest *d, size_t s, const char *sql, const char *data, size_t len, textbuf *out,
            const char *what, ch_error *err)
{
    CURL *curl = d->curl;
    textbuf url = {0}, answer = {0};
    char port[16];
    long status = 0;
    CURLcode rc;
    char *escaped = NULL;
    snprintf(port, sizeof port, "%d", d->servers[s].port);
    textbuf_add(&url, "http://");
    textbuf_add(&url, d->servers[s].host);
    textbuf_add(&url, ":");
    textbuf_add(&url, port);
    /* a flush's key lists outgrow the default 256 KiB of query text */
    textbuf_add(&url, "/?wait_end_of_query=1&max_query_size=268435456");
    if (d->cluster) /* an insert is done when every shard has its rows */
        textbuf_add(&url, "&insert_distributed_sync=1");
    if (data) {
        if ((escaped = curl_easy_escape(curl, sql, 0)) == NULL)
            url.oom = 1;
        textbuf_add(&url, "&query=");
        textbuf_add(&url, escaped ? escaped : "");
        curl_free(escaped);
    }
    if (url.oom) {
        free(url.s);
        return err_set(err, "out of memory");
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.s);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data ? data : sql);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(data ? len : strlen(sql)));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    d->errbuf[0] = '\0';
    rc = curl_easy_perform(curl);
    free(url.s);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        err_set(err, "%s: cannot reach the ClickHouse server at %s:%d: %s", what,
                d->servers[s].host, d->servers[s].port,
                answer.oom     ? "out of memory"
                : d->errbuf[0] ? d->errbuf
                               : curl_easy_strerror(rc));
        free(answer.s);
        return CH_ERROR;
    }
    if (status != 200) {
        char message[700];
        err_set(err, "%s: the ClickHouse server at %s:%d answered %ld: %s", what,
                d->servers[s].host, d->servers[s].port, status,
                answer.s ? server_message(answer.s, message, sizeof message) : "no message");
        free(answer.s);
        return CH_ERROR;
    }
    if (out == NULL) {
        free(answer.s);
        return CH_OK;
    }
    free(out->s);
    if (answer.s == NULL && !answer.oom)
        textbuf_add(&answer, "");
    *out = answer;
    return out->oom ? err_set(err, "out of memory") : CH_OK;
}

int chd_run_sql(chd_dest *d, size_t s, textbuf *b, textbuf *out, const char *what, ch_error *err)
{
    int rc = b->oom ? err_set(err, "out of memory")
                    : chd_run(d, s, b->s ? b->s : "", NULL, 0, out, what, err);
    free(b->s);
    memset(b, 0, sizeof *b);
    return rc;
}

int chd_run_ddl(chd_dest *d, textbuf *b, const char *what, ch_error *err)
{
    int rc = CH_OK;
    for (size_t s = 0; rc == CH_OK && s < d->nservers; s++)
        rc = b->oom ? err_set(err, "out of memory") : chd_run(d, s, b->s, NULL, 0, NULL, what, err);
    free(b->s);
    memset(b, 0, sizeof *b);
    return rc;
}
