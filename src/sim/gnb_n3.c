/* glass5g-sim gNB: the N3 GTP-U endpoint (TS 29.281) on the simulator's loop.
 *
 * One UDP socket bound to gnb.n3.address:2152 serves every session. Uplink packets get a
 * G-PDU header with the PDU Session Container carrying UL PDU SESSION INFORMATION and the
 * session's QFI (TS 38.415 5.5.2.2), written into headroom in front of the packet; downlink
 * G-PDUs are parsed in place, demultiplexed by TEID (the DL TEID the gNB allocated in the
 * Setup Response Transfer) and handed to the session. Echo Request is answered (TS 29.281
 * 7.2.1); Error Indication and G-PDUs for unknown TEIDs are counted and dropped. */
#define G5_LOG_MODULE "sim.n3"
#include <arpa/inet.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "gtpu/gtpu.h"
#include "sim/sim_up.h"

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    sim_up *u = h->data;
    *buf = uv_buf_init((char *)u->rx, sizeof u->rx);
}

static void answer_echo(sim_up *u, const g5_gtpu_hdr *h, const struct sockaddr *from)
{
    uint8_t b[32];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (g5_gtpu_build_echo_response(&w, h->seq) != 0)
        return;
    uv_buf_t ub = uv_buf_init((char *)b, (unsigned)w.len);
    if (uv_udp_try_send(&u->n3, &ub, 1, from) >= 0)
        u->st.n3_echo_answered++;
}

void sim_n3_on_datagram(sim_up *u, const uint8_t *p, size_t n, const struct sockaddr *from)
{
    g5_gtpu_hdr h;
    if (g5_gtpu_parse(p, n, &h) != 0) {
        u->st.n3_rx_malformed++;
        return;
    }
    switch (h.msg_type) {
    case G5_GTPU_GPDU: {
        sim_sess *s = g5_hmap_get(&u->by_dl_teid, h.teid);
        if (!s || !s->n3_up) {
            u->st.n3_rx_unknown_teid++;
            return;
        }
        u->st.n3_rx++;
        sim_up_deliver_dl(u, s, h.payload, h.payload_len);
        return;
    }
    case G5_GTPU_ECHO_REQUEST:
        if (from && u->n3_open)
            answer_echo(u, &h, from);
        return;
    case G5_GTPU_ERROR_INDICATION: u->st.n3_error_indication++; return;
    default: u->st.n3_rx_malformed++; return;
    }
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from,
                    unsigned flags)
{
    (void)flags;
    sim_up *u = h->data;
    if (nread <= 0 || !from)
        return;
    sim_n3_on_datagram(u, (const uint8_t *)buf->base, (size_t)nread, from);
}

int sim_n3_open(sim_up *u)
{
    if (u->n3_open)
        return 0;
    if (u->n3_closing)
        return G5_ERR_STATE;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(G5_GTPU_PORT)};
    if (inet_pton(AF_INET, u->cfg->gnb.n3_address, &sa.sin_addr) != 1) {
        G5_LOGE("gnb.n3.address '%s' is not an IPv4 address", u->cfg->gnb.n3_address);
        return G5_ERR_CONFIG;
    }
    if (uv_udp_init(u->eng->loop, &u->n3) != 0)
        return G5_ERR_IO;
    u->n3.data = u;
    int rc = uv_udp_bind(&u->n3, (const struct sockaddr *)&sa, 0); /* no sharing of 2152 */
    if (rc == 0)
        rc = uv_udp_recv_start(&u->n3, on_alloc, on_recv);
    if (rc != 0) {
        G5_LOGE("N3: cannot bind %s:%u: %s", u->cfg->gnb.n3_address, G5_GTPU_PORT, uv_strerror(rc));
        u->n3_closing = true;
        uv_close((uv_handle_t *)&u->n3, NULL);
        return G5_ERR_IO;
    }
    memcpy(u->n3_addr, &sa.sin_addr, 4);
    u->n3_open = true;
    G5_LOGN("N3 GTP-U endpoint on %s:%u", u->cfg->gnb.n3_address, G5_GTPU_PORT);
    return 0;
}

void sim_n3_close(sim_up *u)
{
    if (!u->n3_open)
        return;
    u->n3_open = false;
    u->n3_closing = true;
    uv_close((uv_handle_t *)&u->n3, NULL);
}

int sim_n3_send_ul(sim_up *u, sim_sess *s, uint8_t *payload, size_t len)
{
    if (!s->n3_up || !u->n3_open)
        return G5_ERR_STATE;
    g5_gtpu_psc psc;
    memset(&psc, 0, sizeof psc);
    psc.pdu_type = G5_GTPU_PSC_UL;
    psc.qfi = s->n3_qfi;
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = s->ul_teid, .psc = &psc};
    int hl = g5_gtpu_encap(payload, len, G5_GTPU_HEADROOM, &e, 0);
    if (hl < 0)
        return hl;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(G5_GTPU_PORT)};
    memcpy(&to.sin_addr, s->upf_addr, 4);
    uv_buf_t b = uv_buf_init((char *)payload - hl, (unsigned)(len + (size_t)hl));
    if (uv_udp_try_send(&u->n3, &b, 1, (const struct sockaddr *)&to) < 0) {
        u->st.n3_tx_errors++;
        return G5_ERR_AGAIN;
    }
    u->st.n3_tx++;
    s->ul_pkts++;
    s->ul_bytes += len;
    return 0;
}
