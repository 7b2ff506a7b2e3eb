/* Framework self-test: the "echo" procedure and a loopback fake AMF on the same loop.
 *
 * This is NOT a 5G procedure. It exists so that the scheduler, the per-UE timers, the RAN
 * UE NGAP ID routing, fault injection, the histograms and the report can be exercised at
 * 100,000 UEs before the NAS/NGAP layers are integrated. It mimics the shape of a NAS
 * exchange: two request/response rounds per UE, a per-UE context on the "AMF" side
 * (created by the first request, like an AMF UE context on Initial UE Message, dropped on
 * release), and a check value standing in for a NAS MAC.
 *
 * Echo PDU (16 bytes, big endian; a private format, not 3GPP):
 *   magic u32 "G5EC" | ran_ue_ngap_id u32 | round u8 | status u8 | pad u16 | check u32
 * status in replies: 0 ok, 1 bad check (MAC), 2 replay, 3 out of state.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "sim/sim.h"

#define ECHO_MAGIC 0x47354543u
#define ECHO_LEN 16
#define ECHO_RING_MAX (1u << 22) /* pending replies; more are dropped and counted */

enum { ST_OK = 0, ST_BAD_MAC = 1, ST_REPLAY = 2, ST_OUT_OF_STATE = 3 };

typedef struct echo_pending {
    uint64_t due_ms;
    uint32_t ran_id;
    uint8_t round, status;
} echo_pending;

struct sim_echo_amf {
    sim_engine *eng;
    uint32_t delay_ms;
    uv_timer_t timer;
    bool armed;
    echo_pending *ring;
    size_t cap, head, len;
    g5_hmap ue_round; /* AMF-side UE context: ran_ue_ngap_id -> expected round */
    sim_echo_amf_stats st;
};

static uint32_t echo_check(const uint8_t *p)
{
    uint32_t h = 0x811c9dc5u; /* FNV-1a over the first 12 bytes */
    for (int i = 0; i < 12; i++)
        h = (h ^ p[i]) * 0x01000193u;
    return h;
}

static void echo_build(uint8_t out[ECHO_LEN], uint32_t ran_id, uint8_t round, uint8_t status)
{
    g5_wbuf w;
    g5_wbuf_init(&w, out, ECHO_LEN);
    g5_wbuf_u32(&w, ECHO_MAGIC);
    g5_wbuf_u32(&w, ran_id);
    g5_wbuf_u8(&w, round);
    g5_wbuf_u8(&w, status);
    g5_wbuf_u16(&w, 0);
    g5_wbuf_u32(&w, echo_check(out));
}

/* Parses an echo PDU; G5_ERR_TRUNCATED/INVALID for a malformed one, G5_ERR_CRYPTO for a
 * wrong check value. */
static int echo_parse(const uint8_t *p, size_t len, uint32_t *ran_id, uint8_t *round,
                      uint8_t *status)
{
    g5_rbuf r;
    uint32_t magic = 0, check = 0;
    uint16_t pad = 0;
    g5_rbuf_init(&r, p, len);
    g5_rbuf_u32(&r, &magic);
    g5_rbuf_u32(&r, ran_id);
    g5_rbuf_u8(&r, round);
    g5_rbuf_u8(&r, status);
    g5_rbuf_u16(&r, &pad);
    g5_rbuf_u32(&r, &check);
    if (r.err)
        return r.err;
    if (magic != ECHO_MAGIC || !g5_rbuf_empty(&r) || *round == 0)
        return G5_ERR_INVALID;
    return check == echo_check(p) ? 0 : G5_ERR_CRYPTO;
}

/* ---- the fake AMF ---- */

static void amf_arm(sim_echo_amf *a);

static void amf_on_timer(uv_timer_t *t)
{
    sim_echo_amf *a = (sim_echo_amf *)((char *)t - offsetof(sim_echo_amf, timer));
    a->armed = false;
    uint64_t now = uv_now(a->eng->loop);
    size_t n = a->len; /* replies queued while delivering wait for the next turn */
    while (n-- && a->len && a->ring[a->head].due_ms <= now) {
        echo_pending pd = a->ring[a->head];
        a->head = (a->head + 1) & (a->cap - 1);
        a->len--;
        uint8_t pdu[ECHO_LEN];
        echo_build(pdu, pd.ran_id, pd.round, pd.status);
        a->st.tx++;
        sim_engine_deliver(a->eng, pd.ran_id, pdu, sizeof pdu);
    }
    amf_arm(a);
}

static void amf_arm(sim_echo_amf *a)
{
    if (a->armed || !a->len)
        return;
    uint64_t now = uv_now(a->eng->loop), due = a->ring[a->head].due_ms;
    uv_timer_start(&a->timer, amf_on_timer, due > now ? due - now : 0, 0);
    a->armed = true;
}

static int amf_queue(sim_echo_amf *a, uint32_t ran_id, uint8_t round, uint8_t status)
{
    if (a->len == a->cap) {
        if (a->cap >= ECHO_RING_MAX)
            return G5_ERR_LIMIT;
        size_t ncap = a->cap ? a->cap * 2 : 1024;
        echo_pending *nr = malloc(ncap * sizeof *nr);
        if (!nr)
            return G5_ERR_NOMEM;
        for (size_t i = 0; i < a->len; i++)
            nr[i] = a->ring[(a->head + i) & (a->cap - 1)];
        free(a->ring);
        a->ring = nr;
        a->cap = ncap;
        a->head = 0;
    }
    echo_pending *pd = &a->ring[(a->head + a->len) & (a->cap - 1)];
    pd->due_ms = uv_now(a->eng->loop) + a->delay_ms;
    pd->ran_id = ran_id;
    pd->round = round;
    pd->status = status;
    a->len++;
    amf_arm(a);
    return 0;
}

/* The AMF's view: round 1 opens a context, round 2 must follow it, anything else is
 * refused with a status, as an AMF answers with a cause. */
static int amf_send(void *ctx, uint32_t ran_ue_ngap_id, const uint8_t *pdu, size_t len)
{
    sim_echo_amf *a = ctx;
    uint32_t ran_id = 0;
    uint8_t round = 0, status = 0;
    a->st.rx++;
    int rc = echo_parse(pdu, len, &ran_id, &round, &status);
    if (rc == G5_ERR_CRYPTO) {
        a->st.bad_mac++;
        return amf_queue(a, ran_id, round, ST_BAD_MAC);
    }
    if (rc || ran_id != ran_ue_ngap_id) {
        a->st.malformed++; /* dropped, as a decoder drops an undecodable PDU */
        return 0;
    }
    uintptr_t expected = (uintptr_t)g5_hmap_get(&a->ue_round, ran_id);
    if (round == 1 && expected == 2) {
        a->st.replay++;
        return amf_queue(a, ran_id, round, ST_REPLAY);
    }
    if (round == 1) {
        if (g5_hmap_put(&a->ue_round, ran_id, (void *)(uintptr_t)2) != 0)
            return G5_ERR_NOMEM;
        return amf_queue(a, ran_id, round, ST_OK);
    }
    if (round != 2 || expected != 2) {
        a->st.out_of_state++;
        return amf_queue(a, ran_id, round, ST_OUT_OF_STATE);
    }
    g5_hmap_del(&a->ue_round, ran_id);
    return amf_queue(a, ran_id, round, ST_OK);
}

static void amf_release(void *ctx, uint32_t ran_ue_ngap_id)
{
    sim_echo_amf *a = ctx;
    g5_hmap_del(&a->ue_round, ran_ue_ngap_id);
}

const sim_transport_ops sim_echo_transport = {
    .name = "echo-loopback",
    .send = amf_send,
    .release = amf_release,
};

sim_echo_amf *sim_echo_amf_new(sim_engine *e, uint32_t delay_ms)
{
    sim_echo_amf *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->eng = e;
    a->delay_ms = delay_ms;
    g5_hmap_init(&a->ue_round);
    if (uv_timer_init(e->loop, &a->timer) != 0) {
        free(a);
        return NULL;
    }
    return a;
}

static void amf_closed(uv_handle_t *h)
{
    sim_echo_amf *a = (sim_echo_amf *)((char *)h - offsetof(sim_echo_amf, timer));
    g5_hmap_free(&a->ue_round);
    free(a->ring);
    free(a);
}

void sim_echo_amf_free(sim_echo_amf *a)
{
    if (!a)
        return;
    uv_timer_stop(&a->timer);
    uv_close((uv_handle_t *)&a->timer, amf_closed);
}

void sim_echo_amf_get_stats(const sim_echo_amf *a, sim_echo_amf_stats *st)
{
    *st = a->st;
}

/* ---- the UE side: procedure "echo" ---- */

typedef struct echo_state {
    uint8_t round; /* round awaiting its reply */
    uint8_t last[ECHO_LEN]; /* last PDU sent (for the replay fault) */
} echo_state;

/* Sends round `round`, applying the fault configured for this step. */
static int echo_send(sim_run *r, uint8_t round, const char *step)
{
    echo_state *s = (echo_state *)r->scratch;
    uint8_t pdu[ECHO_LEN];
    size_t len = sizeof pdu;
    echo_build(pdu, r->ue->ran_ue_ngap_id, round, 0);
    switch (sim_run_fault(r, step)) {
    case SIM_FAULT_DROP: len = 0; break;
    case SIM_FAULT_CORRUPT_MAC: pdu[ECHO_LEN - 1] ^= 0x01; break;
    case SIM_FAULT_REPLAY:
        if (round > 1)
            memcpy(pdu, s->last, sizeof pdu);
        break;
    case SIM_FAULT_MALFORMED: len = 7; break;
    case SIM_FAULT_OUT_OF_STATE: echo_build(pdu, r->ue->ran_ue_ngap_id, round + 1, 0); break;
    default: break;
    }
    memcpy(s->last, pdu, sizeof pdu);
    s->round = round;
    sim_run_arm(r, sim_run_timeout_ms(r));
    if (len && sim_run_send(r, pdu, len) != 0)
        return SIM_CAUSE_TRANSPORT;
    return 0;
}

static int echo_start(sim_run *r)
{
    return echo_send(r, 1, "request");
}

static int status_cause(uint8_t status)
{
    switch (status) {
    case ST_BAD_MAC: return SIM_CAUSE_MAC_FAILURE;
    case ST_REPLAY: return SIM_CAUSE_REPLAY;
    case ST_OUT_OF_STATE: return SIM_CAUSE_OUT_OF_STATE;
    default: return SIM_CAUSE_PEER_REJECT;
    }
}

static void echo_on_downlink(sim_run *r, const uint8_t *pdu, size_t len)
{
    echo_state *s = (echo_state *)r->scratch;
    uint32_t ran_id = 0;
    uint8_t round = 0, status = 0;
    if (echo_parse(pdu, len, &ran_id, &round, &status) != 0) {
        sim_run_finish(r, SIM_CAUSE_MALFORMED);
        return;
    }
    if (status != ST_OK) {
        sim_run_finish(r, status_cause(status));
        return;
    }
    if (round != s->round) {
        sim_run_finish(r, SIM_CAUSE_UNEXPECTED);
        return;
    }
    sim_run_mark(r, round - 1u);
    if (round == 2) {
        sim_run_finish(r, SIM_CAUSE_OK);
        return;
    }
    int cause = echo_send(r, 2, "second_request");
    if (cause)
        sim_run_finish(r, cause);
}

const sim_procedure sim_proc_echo = {
    .name = "echo",
    .summary = "framework self-test with a loopback fake AMF (NOT a 5G procedure)",
    .steps = {"request->reply", "second_request->reply"},
    .nsteps = 2,
    .needs_protocol = false,
    .start = echo_start,
    .on_downlink = echo_on_downlink,
    .on_timeout = NULL, /* engine default: fail with cause "timeout" */
};
