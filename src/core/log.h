/* Logging with levels and per-module names.
 *
 * Each .c file that logs defines G5_LOG_MODULE before including this header, e.g.
 *     #define G5_LOG_MODULE "amf"
 * Lines look like:  2026-11-29T10:00:00.123Z INFO  amf: NG Setup accepted gnb=...
 *
 * Secrets (K, OPc, private keys, KAUSF/KSEAF/KAMF, NAS keys) must never be passed to a
 * log call. Use g5_log_hex only for protocol bytes that are not key material.
 */
#ifndef G5_CORE_LOG_H
#define G5_CORE_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

enum g5_log_level {
    G5_LOG_ERROR = 0,
    G5_LOG_WARN = 1,
    G5_LOG_NOTICE = 2,
    G5_LOG_INFO = 3,
    G5_LOG_DEBUG = 4,
};

/* Global threshold; a per-module override can be set with g5_log_set_module_level. */
void g5_log_set_level(enum g5_log_level lvl);
enum g5_log_level g5_log_get_level(void);
int g5_log_set_module_level(const char *module, enum g5_log_level lvl);
/* Parses "error|warn|notice|info|debug"; returns -1 if unknown. */
int g5_log_level_parse(const char *s);
const char *g5_log_level_name(enum g5_log_level lvl);
/* Log to this file (append) instead of stderr; NULL goes back to stderr. */
int g5_log_set_file(const char *path);
/* Capture log output into a callback (tests use this to assert on log lines). */
typedef void (*g5_log_sink_fn)(void *arg, enum g5_log_level lvl, const char *module,
                               const char *line);
void g5_log_set_sink(g5_log_sink_fn fn, void *arg);

int g5_log_enabled(enum g5_log_level lvl, const char *module);
void g5_log(enum g5_log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void g5_vlog(enum g5_log_level lvl, const char *module, const char *fmt, va_list ap);

#ifndef G5_LOG_MODULE
#define G5_LOG_MODULE "glass5g"
#endif

#define G5_LOGE(...) g5_log(G5_LOG_ERROR, G5_LOG_MODULE, __VA_ARGS__)
#define G5_LOGW(...) g5_log(G5_LOG_WARN, G5_LOG_MODULE, __VA_ARGS__)
#define G5_LOGN(...) g5_log(G5_LOG_NOTICE, G5_LOG_MODULE, __VA_ARGS__)
#define G5_LOGI(...) g5_log(G5_LOG_INFO, G5_LOG_MODULE, __VA_ARGS__)
#define G5_LOGD(...) \
    do { \
        if (g5_log_enabled(G5_LOG_DEBUG, G5_LOG_MODULE)) \
            g5_log(G5_LOG_DEBUG, G5_LOG_MODULE, __VA_ARGS__); \
    } while (0)

#endif
