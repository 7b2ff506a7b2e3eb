/* Helpers shared by tests/unit/test_udm_*.c and test_ausf_*.c: a real SQLite store in a
 * temporary directory, UDR + UDM + AUSF on a private libuv loop, subscribers, and a
 * "USIM" built on the crypto library (AUTN check with a freshness rule, RES*, AUTS), so
 * the network side is checked against what a UE computes. */
#ifndef G5_TEST_AUSF_UTIL_H
#define G5_TEST_AUSF_UTIL_H

#include <stdbool.h>
#include <string.h>
#include <uv.h>

#include "core/err.h"
#include "core/loop.h"
#include "crypto/kdf.h"
#include "crypto/milenage.h"
#include "crypto/suci.h"
#include "nf/ausf/ausf.h"
#include "nf/udm/udm.h"
#include "nf/udr/udr.h"
#include "store_test_util.h"

#define T_SNN "5G:mnc001.mcc001.3gppnetwork.org"

typedef struct t_nf {
    t_env env;
    uv_loop_t loop;
    g5_store *st;
    udr *udr;
    udm *udm;
    ausf *ausf;
} t_nf;

static inline int t_nf_up(t_nf *n, const udm_config *ucfg, const ausf_config *acfg)
{
    memset(n, 0, sizeof *n);
    t_env_init(&n->env);
    char err[256];
    if (uv_loop_init(&n->loop))
        return -1;
    n->st = t_open(&n->env, err, sizeof err);
    if (!n->st) {
        fprintf(stderr, "store: %s\n", err);
        return -1;
    }
    n->udr = udr_new(n->st);
    n->udm = udm_new(&n->loop, n->udr, n->st, ucfg, err, sizeof err);
    if (!n->udm) {
        fprintf(stderr, "udm: %s\n", err);
        return -1;
    }
    n->ausf = ausf_new(&n->loop, n->udm, acfg);
    return n->ausf ? 0 : -1;
}

static inline void t_nf_down(t_nf *n)
{
    ausf_free(n->ausf);
    udm_free(n->udm);
    uv_run(&n->loop, UV_RUN_DEFAULT); /* closes the timer handles */
    if (uv_loop_close(&n->loop))
        fprintf(stderr, "loop still has handles\n"), abort();
    udr_free(n->udr);
    g5_store_close(n->st);
    t_env_free(&n->env);
}

/* Runs the loop until *flag (set by a callback); false if it does not come within 20 s.
 * UV_RUN_NOWAIT, not UV_RUN_ONCE: after a callback from the timer phase, UV_RUN_ONCE goes
 * on to sleep in poll until the next timer (e.g. a 30 s auth-context expiry). The short
 * sleep leaves the CPU to the thread-pool worker doing the UDR call. */
static inline bool t_run_until(t_nf *n, const int *flag)
{
    uint64_t t0 = g5_clock_ms();
    while (!*flag && g5_clock_ms() - t0 < 20000) {
        uv_run(&n->loop, UV_RUN_NOWAIT);
        if (!*flag)
            usleep(20);
    }
    return *flag != 0;
}

/* A few loop iterations (to show that nothing is called back). */
static inline void t_spin(t_nf *n)
{
    for (int i = 0; i < 20; i++)
        uv_run(&n->loop, UV_RUN_NOWAIT);
}

static inline int t_provision(t_nf *n, unsigned idx, g5_auth_method m, g5_subscriber *sub)
{
    t_sub(sub, idx);
    sub->auth_method = m;
    sub->op_kind = G5_OP_IS_OPC;
    return g5_store_sub_put(n->st, sub);
}

/* The UE side. sqn_ms = highest SQN accepted (a simple monotonic freshness rule, stricter
 * than the TS 33.102 C.2 array scheme). */
typedef struct t_usim {
    uint8_t k[16], opc[16];
    uint64_t sqn_ms;
    char supi[G5_SUPI_MAX];
} t_usim;

static inline void t_usim_from(t_usim *u, const g5_subscriber *s)
{
    memcpy(u->k, s->k, 16);
    memcpy(u->opc, s->op, 16);
    u->sqn_ms = 0;
    snprintf(u->supi, sizeof u->supi, "%s", s->supi);
}

static inline uint64_t t_sqn48(const uint8_t b[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | b[i];
    return v;
}

enum { T_USIM_OK = 0, T_USIM_MAC_FAIL = 1, T_USIM_SYNC_FAIL = 2 };

/* TS 33.102 §6.3.3 on the USIM + TS 33.501 A.4/A.2 in the ME. On a stale SQN fills auts
 * and returns T_USIM_SYNC_FAIL. Any output may be NULL. */
static inline int t_usim_auth(t_usim *u, const uint8_t rand[16], const uint8_t autn[16],
                              const char *snn, uint8_t res_star[16], uint8_t kausf[32],
                              uint8_t ck[16], uint8_t ik[16], uint8_t res[8], uint8_t auts[14])
{
    uint8_t sqn[6], r[8], c[16], i[16];
    if (g5_milenage_check_autn(u->k, u->opc, rand, autn, sqn, r, c, i))
        return T_USIM_MAC_FAIL;
    uint64_t s = t_sqn48(sqn);
    if (s <= u->sqn_ms) {
        uint8_t ms[6];
        for (int b = 5, v = 0; b >= 0; b--, v += 8)
            ms[b] = (uint8_t)(u->sqn_ms >> v);
        if (auts)
            g5_milenage_auts(u->k, u->opc, rand, ms, auts);
        return T_USIM_SYNC_FAIL;
    }
    u->sqn_ms = s;
    if (res_star)
        g5_kdf_res_star(c, i, snn, rand, r, 8, res_star);
    if (kausf)
        g5_kdf_kausf(c, i, snn, autn, kausf);
    if (ck)
        memcpy(ck, c, 16);
    if (ik)
        memcpy(ik, i, 16);
    if (res)
        memcpy(res, r, 8);
    return T_USIM_OK;
}

#endif
