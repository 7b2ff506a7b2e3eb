/* NGAP codec speed: ns per decode / encode (and free) of an InitialUEMessage and an
 * InitialContextSetupRequest built by ngap_msg.c, with memcpy of the same bytes measured
 * in the same run as the baseline. Prints figures; never a pass/fail test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ngap/ngap_msg.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile uint8_t sink;

static void bench(const char *name, NGAP_NGAP_PDU_t *pdu)
{
    uint8_t buf[4096], copy[4096];
    g5_wbuf w;
    g5_wbuf_init(&w, buf, sizeof buf);
    if (ngap_encode(pdu, &w)) {
        fprintf(stderr, "encode failed\n");
        exit(1);
    }
    size_t n = w.len;
    const int iters = 200000;

    double t0 = now_ns();
    for (int i = 0; i < iters; i++) {
        memcpy(copy, buf, n);
        sink ^= copy[(size_t)i % n];
    }
    double memcpy_ns = (now_ns() - t0) / iters;

    t0 = now_ns();
    for (int i = 0; i < iters; i++) {
        NGAP_NGAP_PDU_t d;
        if (ngap_decode(&d, buf, n, NULL))
            exit(1);
        ngap_free(&d);
    }
    double dec_ns = (now_ns() - t0) / iters;

    t0 = now_ns();
    for (int i = 0; i < iters; i++) {
        g5_wbuf o;
        g5_wbuf_init(&o, copy, sizeof copy);
        if (ngap_encode(pdu, &o))
            exit(1);
        sink ^= copy[0];
    }
    double enc_ns = (now_ns() - t0) / iters;

    printf("%-28s %4zu bytes  decode+free %7.0f ns (%8.0f msg/s)  encode %7.0f ns (%8.0f msg/s)"
           "  memcpy baseline %5.1f ns\n",
           name, n, dec_ns, 1e9 / dec_ns, enc_ns, 1e9 / enc_ns, memcpy_ns);
}

int main(void)
{
    static const uint8_t plmn[3] = {0x00, 0xf1, 0x10}, tac[3] = {0, 0, 1};
    uint8_t nas[64] = {0x7e, 0x00, 0x41, 0x79};
    NGAP_NGAP_PDU_t pdu;
    if (ngap_build_initial_ue_message(&pdu, 1, nas, sizeof nas, plmn, tac, 0x123456789ull,
                                      NGAP_RRCEstablishmentCause_mo_Signalling))
        return 1;
    bench("InitialUEMessage", &pdu);
    ngap_free(&pdu);

    ngap_guami g = {{0x00, 0xf1, 0x10}, 0xca, 0x3fe, 0x3f};
    ngap_snssai s[2] = {{1, false, {0}}, {2, true, {1, 2, 3}}};
    uint16_t caps[4] = {0xe000, 0xe000, 0xe000, 0xe000};
    uint8_t key[32] = {0};
    if (ngap_build_initial_context_setup_request(&pdu, 7, 1, &g, s, 2, caps, key, nas, 40))
        return 1;
    bench("InitialContextSetupRequest", &pdu);
    ngap_free(&pdu);
    return 0;
}
