/* The UPF as a process of its own (`glass5g run --nf upf`): a libuv loop for the UPF host
 * (upf_host.c, the one implementation of the UPF's sockets, TUN device and batched I/O)
 * plus SIGINT/SIGTERM handling. cmd_run.c calls upf_run(). */
#include "nf/upf/upf_main.h"

#include <signal.h>
#include <stddef.h>
#include <uv.h>

#include "core/err.h"
#include "nf/upf/upf_host.h"

#define G5_LOG_MODULE "upf"
#include "core/log.h"

static void on_signal(uv_signal_t *s, int signum)
{
    G5_LOGN("signal %d: shutting down", signum);
    uv_stop(s->loop);
}

static void close_cb(uv_handle_t *h)
{
    (void)h;
}

int upf_run(const g5_config *cfg)
{
    uv_loop_t loop;
    if (uv_loop_init(&loop))
        return G5_ERR_IO;
    int rc = 0;
    upf_host *h = upf_host_start(&loop, cfg, true, &rc);
    if (h) {
        uv_signal_t sigint, sigterm;
        uv_signal_init(&loop, &sigint);
        uv_signal_init(&loop, &sigterm);
        uv_signal_start(&sigint, on_signal, SIGINT);
        uv_signal_start(&sigterm, on_signal, SIGTERM);
        uv_run(&loop, UV_RUN_DEFAULT);
        upf_host_stop(h);
        uv_close((uv_handle_t *)&sigint, close_cb);
        uv_close((uv_handle_t *)&sigterm, close_cb);
    }
    uv_run(&loop, UV_RUN_DEFAULT); /* the close callbacks */
    uv_loop_close(&loop);
    return rc;
}
