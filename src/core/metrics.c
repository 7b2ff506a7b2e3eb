#include "core/metrics.h"

#include <pthread.h>
#include <string.h>

static g5_counter *g_head;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

void g5_counter_register(g5_counter *c)
{
    pthread_mutex_lock(&g_mu);
    for (g5_counter *it = g_head; it; it = it->next) {
        if (it == c) {
            pthread_mutex_unlock(&g_mu);
            return;
        }
    }
    c->next = g_head;
    g_head = c;
    pthread_mutex_unlock(&g_mu);
}

void g5_metrics_dump(FILE *out)
{
    pthread_mutex_lock(&g_mu);
    const char *last = NULL;
    for (g5_counter *c = g_head; c; c = c->next) {
        if (!last || strcmp(last, c->name) != 0) {
            fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", c->name, c->help ? c->help : "",
                    c->name);
            last = c->name;
        }
        if (c->labels && c->labels[0])
            fprintf(out, "%s{%s} %llu\n", c->name, c->labels,
                    (unsigned long long)g5_counter_get(c));
        else
            fprintf(out, "%s %llu\n", c->name, (unsigned long long)g5_counter_get(c));
    }
    pthread_mutex_unlock(&g_mu);
}
