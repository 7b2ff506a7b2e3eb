/* Logging: one mutex-protected write per line so lines from worker threads never
 * interleave; level checks are lock-free reads. */
#include "core/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#define MAX_MODULE_OVERRIDES 32

static enum g5_log_level g_level = G5_LOG_INFO;
static FILE *g_file;
static g5_log_sink_fn g_sink;
static void *g_sink_arg;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char name[24];
    enum g5_log_level level;
} g_mod[MAX_MODULE_OVERRIDES];
static int g_nmod;

static const char *const level_names[] = {"ERROR", "WARN", "NOTICE", "INFO", "DEBUG"};

void g5_log_set_level(enum g5_log_level lvl)
{
    g_level = lvl;
}
enum g5_log_level g5_log_get_level(void)
{
    return g_level;
}

const char *g5_log_level_name(enum g5_log_level lvl)
{
    return (unsigned)lvl <= G5_LOG_DEBUG ? level_names[lvl] : "?";
}

int g5_log_level_parse(const char *s)
{
    for (int i = 0; i <= G5_LOG_DEBUG; i++)
        if (s && strcasecmp(s, level_names[i]) == 0)
            return i;
    if (s && strcasecmp(s, "warning") == 0)
        return G5_LOG_WARN;
    return -1;
}

int g5_log_set_module_level(const char *module, enum g5_log_level lvl)
{
    pthread_mutex_lock(&g_mu);
    for (int i = 0; i < g_nmod; i++) {
        if (strcmp(g_mod[i].name, module) == 0) {
            g_mod[i].level = lvl;
            pthread_mutex_unlock(&g_mu);
            return 0;
        }
    }
    if (g_nmod == MAX_MODULE_OVERRIDES || strlen(module) >= sizeof(g_mod[0].name)) {
        pthread_mutex_unlock(&g_mu);
        return -1;
    }
    strcpy(g_mod[g_nmod].name, module);
    g_mod[g_nmod].level = lvl;
    g_nmod++;
    pthread_mutex_unlock(&g_mu);
    return 0;
}

int g5_log_set_file(const char *path)
{
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "a");
        if (!f)
            return -1;
        setvbuf(f, NULL, _IOLBF, 0);
    }
    pthread_mutex_lock(&g_mu);
    if (g_file)
        fclose(g_file);
    g_file = f;
    pthread_mutex_unlock(&g_mu);
    return 0;
}

void g5_log_set_sink(g5_log_sink_fn fn, void *arg)
{
    pthread_mutex_lock(&g_mu);
    g_sink = fn;
    g_sink_arg = arg;
    pthread_mutex_unlock(&g_mu);
}

int g5_log_enabled(enum g5_log_level lvl, const char *module)
{
    enum g5_log_level thr = g_level;
    for (int i = 0; i < g_nmod; i++)
        if (module && strcmp(g_mod[i].name, module) == 0)
            thr = g_mod[i].level;
    return lvl <= thr;
}

void g5_vlog(enum g5_log_level lvl, const char *module, const char *fmt, va_list ap)
{
    if (!g5_log_enabled(lvl, module))
        return;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char line[1200];
    snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %-6s %s: %s\n",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(tv.tv_usec / 1000), g5_log_level_name(lvl), module ? module : "-", msg);
    pthread_mutex_lock(&g_mu);
    if (g_sink)
        g_sink(g_sink_arg, lvl, module, msg);
    else
        fputs(line, g_file ? g_file : stderr);
    pthread_mutex_unlock(&g_mu);
}

void g5_log(enum g5_log_level lvl, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g5_vlog(lvl, module, fmt, ap);
    va_end(ap);
}
