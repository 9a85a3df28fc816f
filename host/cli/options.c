/* options.c - one getopt_long parser for every command, so options mean the same everywhere. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include "cli.h"
#include "contract/formats.h"
#include "plugin/registry.h"

void options_free(options *opts)
{
    free(opts->req.plugin_dirs);
    opts->req.plugin_dirs = NULL;
    free(opts->req.masks);
    opts->req.masks = NULL;
    free(opts->project_dir);
    opts->project_dir = NULL;
}

/*
 * The project directory of a path a runtime runs: the directory itself, or
 * the file's directory. Its files/ is where `fivetran debug` keeps the
 * warehouse and state, so it is the default working directory.
 */
static char *project_dir_of(const char *path)
{
    struct stat st;
    char *dir;
    const char *slash;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return strdup(path);
    if ((slash = strrchr(path, '/')) == NULL)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    if ((dir = malloc((size_t)(slash - path) + 1)) != NULL) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    }
    return dir;
}

/* Seconds between progress updates: a tenth of a second at least, a day at most. */
static int parse_interval(const char *text, double *seconds)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(v >= 0.1 && v <= 86400))
        return CH_ERROR;
    *seconds = v;
    return CH_OK;
}

static int usage_error(const char *command, const char *usage, const char *format, const char *a)
{
    fprintf(stderr, "connector-host %s: ", command);
    fprintf(stderr, format, a);
    fprintf(stderr, "\nusage: %s\nTry 'connector-host %s --help'.\n", usage, command);
    return EXIT_USAGE;
}

int options_parse(options *opts, int argc, char **argv, unsigned allowed, int wants_name,
                  const char *usage)
{
    static const struct option all[] = {
        {"plugin-dir", required_argument, NULL, 'p'},
        {"working-dir", required_argument, NULL, 'w'},
        {"configuration", required_argument, NULL, 'c'},
        {"destination", required_argument, NULL, 'd'},
        {"log-level", required_argument, NULL, 'l'},
        {"log-format", required_argument, NULL, 'f'},
        {"verbose", no_argument, NULL, 'v'},
        {"dry-run", no_argument, NULL, 'n'},
        {"naming", required_argument, NULL, 'N'},
        {"state", required_argument, NULL, 's'},
        {"fixed-time", required_argument, NULL, 'T'},
        {"mask", required_argument, NULL, 'M'},
        {"progress", required_argument, NULL, 'P'},
        {"progress-interval", required_argument, NULL, 'I'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const unsigned needs[] = {
        OPT_PLUGIN_DIR, OPT_WORKING_DIR, OPT_CONFIGURATION, OPT_DESTINATION,
        OPT_LOG,        OPT_LOG,         OPT_VERBOSE,       OPT_DRY_RUN,
        OPT_NAMING,     OPT_STATE,       OPT_FIXED_TIME,    OPT_MASK,
        OPT_PROGRESS,   OPT_PROGRESS,    OPT_PROGRESS,      0};
    const char *command = argv[0];
    int c, index;
    memset(opts, 0, sizeof *opts);
    opts->req.working_dir = ".";
    opts->req.log.min = CH_LOG_INFO;
    opts->req.log.out = stderr;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", all, &index)) != -1) {
        if (c == ':')
            return usage_error(command, usage, "option '%s' needs a value", argv[optind - 1]);
        if (c == '?')
            return usage_error(command, usage, "unknown option '%s'", argv[optind - 1]);
        if (c != 'h') {
            for (index = 0; all[index].val != c; index++)
                ;
            if (!(allowed & needs[index]))
                return usage_error(command, usage, "option '--%s' does not apply here",
                                   all[index].name);
        }
        switch (c) {
        case 'p': {
            char **dirs =
                realloc(opts->req.plugin_dirs, (opts->req.nplugin_dirs + 1) * sizeof *dirs);
            if (dirs == NULL)
                return usage_error(command, usage, "%s", "out of memory");
            opts->req.plugin_dirs = dirs;
            dirs[opts->req.nplugin_dirs++] = optarg;
            break;
        }
        case 'w':
            opts->req.working_dir = optarg;
            opts->working_dir_given = 1;
            break;
        case 'c':
            opts->req.configuration = optarg;
            break;
        case 'd':
            opts->req.destination = optarg;
            break;
        case 'l':
            if (log_level_parse(optarg, &opts->req.log.min) != CH_OK)
                return usage_error(command, usage,
                                   "unknown log level '%s' (FINE, INFO, WARNING or SEVERE)",
                                   optarg);
            break;
        case 'f':
            if (strcmp(optarg, "json") == 0)
                opts->req.log.json = 1;
            else if (strcmp(optarg, "text") != 0)
                return usage_error(command, usage, "unknown log format '%s' (text or json)",
                                   optarg);
            break;
        case 'v':
            opts->verbose = 1;
            break;
        case 'n':
            opts->req.dry_run = 1;
            break;
        case 's':
            opts->req.state = optarg;
            break;
        case 'N': /* Fivetran's tester takes FIVETRAN or SOURCE in any case */
            if (strcasecmp(optarg, "source") == 0 || strcasecmp(optarg, "fivetran") == 0)
                opts->req.naming_source = strcasecmp(optarg, "source") == 0;
            else
                return usage_error(command, usage, "unknown naming '%s' (fivetran or source)",
                                   optarg);
            break;
        case 'M': {
            char **masks = realloc(opts->req.masks, (opts->req.nmasks + 1) * sizeof *masks);
            if (masks == NULL)
                return usage_error(command, usage, "%s", "out of memory");
            opts->req.masks = masks;
            if (*optarg == '\0')
                return usage_error(command, usage, "%s", "--mask needs a column name");
            masks[opts->req.nmasks++] = optarg;
            break;
        }
        case 'T': {
            ch_error why;
            /* the clock's text is formatted from the seconds since 1970, so it starts there */
            if (utc_datetime_micros(optarg, &opts->req.fixed_time_us, &why) != CH_OK)
                return usage_error(command, usage, "--fixed-time: %s", why.msg);
            if (opts->req.fixed_time_us < 0)
                return usage_error(command, usage,
                                   "--fixed-time '%s' is before 1970-01-01T00:00:00Z", optarg);
            opts->req.fixed_time = 1;
            break;
        }
        case 'P':
            if (progress_mode_parse(optarg, &opts->req.progress) != CH_OK)
                return usage_error(command, usage,
                                   "unknown progress mode '%s' (auto, tty, log or none)", optarg);
            break;
        case 'q': /* the last of --quiet and --progress wins, as with any repeated option */
            opts->req.progress = PROGRESS_NONE;
            break;
        case 'I':
            if (parse_interval(optarg, &opts->req.progress_interval) != CH_OK)
                return usage_error(command, usage,
                                   "--progress-interval '%s' is not a number of seconds from "
                                   "0.1 to 86400",
                                   optarg);
            break;
        case 'h':
            opts->help = 1;
            return EXIT_OK;
        }
    }
    if (wants_name) {
        if (optind >= argc)
            return usage_error(command, usage, "%s", "missing connector name");
        opts->req.name = argv[optind++];
        if (registry_is_path(opts->req.name) && !opts->working_dir_given) {
            if ((opts->project_dir = project_dir_of(opts->req.name)) == NULL)
                return usage_error(command, usage, "%s", "out of memory");
            opts->req.working_dir = opts->project_dir;
        }
    }
    if (optind < argc)
        return usage_error(command, usage, "unexpected argument '%s'", argv[optind]);
    return EXIT_OK;
}
