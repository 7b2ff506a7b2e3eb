/* libFuzzer target: the request handler of `glass5g run`'s control socket (one JSON line
 * from a local client, src/nf/ctl/ctl.c) against a live AMF with one gNB that completed
 * NG Setup, so list, reset and error paths run for real. It must not crash, leak, or
 * answer with anything but a JSON object carrying "ok". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "nf/amf/amf.h"
#include "nf/ctl/ctl.h"
#include "ngap/ngap_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uv_loop_t loop;
static g5_config cfg;
static corectl_env env;

static int drop_send(void *arg, uint16_t stream, const uint8_t *p, size_t n)
{
    (void)arg;
    (void)stream;
    (void)p;
    (void)n;
    return 0;
}

static void quiet(void *arg, enum g5_log_level lvl, const char *module, const char *line)
{
    (void)arg;
    (void)lvl;
    (void)module;
    (void)line;
}

static void setup_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    g5_log_set_sink(quiet, NULL);
    uv_loop_init(&loop);
    g5_config_defaults(&cfg);
    /* no UDM/AUSF: no UE can register, which the requests cannot reach anyway */
    amf *a = amf_new(&loop, &cfg, NULL, NULL, NULL);
    amf_gnb *g = a ? amf_gnb_attach(a, drop_send, NULL, "fuzz") : NULL;
    if (!g)
        abort();
    static const uint8_t plmn[3] = {0x00, 0xf1, 0x10}, tac[3] = {0, 0, 1};
    ngap_snssai sl = {.sst = 1};
    NGAP_NGAP_PDU_t pdu;
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 4096);
    if (ngap_build_ng_setup_request(&pdu, plmn, 1, 32, "fuzz-gnb", tac, &sl, 1,
                                    NGAP_PagingDRX_v128) ||
        ngap_encode(&pdu, &w))
        abort();
    ngap_free(&pdu);
    amf_ngap_rx(g, 0, g5_wbuf_data(&w), g5_wbuf_len(&w));
    g5_wbuf_free(&w);
    env = (corectl_env){.cfg = &cfg, .amf = a};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    json_t *a = corectl_handle(&env, (const char *)data, size);
    if (!json_is_object(a) || !json_is_boolean(json_object_get(a, "ok")))
        abort();
    json_decref(a);
    g5_log_set_level(G5_LOG_ERROR); /* a log-level request must not slow the next inputs */
    return 0;
}
