/* glass5g-sim gNB: the N3 GTP-U endpoint (TS 29.281) on the simulator's loop.
 *
 * One UDP socket per address family (gnb.n3.address and/or address6, port 2152) serves
 * every session; a session's uplink goes over IPv6 when both the UPF's address in the
 * Setup Request Transfer and ours have one (g5_tnl_pick), else over IPv4. Uplink packets get a
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
    uv_udp_t *sock = from->sa_family == AF_INET6 ? &u->n3v6 : &u->n3;
    if (from->sa_family == AF_INET6 ? !u->n3_addr.v6 : !u->n3_addr.v4)
        return;
    uint8_t b[32];
    g5_wbuf w;
    g5_wbuf_init(&w, b, sizeof b);
    if (g5_gtpu_build_echo_response(&w, h->seq) != 0)
        return;
    uv_buf_t ub = uv_buf_init((char *)b, (unsigned)w.len);
    if (uv_udp_try_send(sock, &ub, 1, from) >= 0)
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

/* Binds one N3 socket (IPv4 or IPv6) on addr:2152 and starts receiving. */
static int n3_bind(sim_up *u, uv_udp_t *h, bool v6, const uint8_t *addr, const char *text)
{
    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
    } sa;
    memset(&sa, 0, sizeof sa);
    if (v6) {
        sa.in6.sin6_family = AF_INET6;
        sa.in6.sin6_port = htons(G5_GTPU_PORT);
        memcpy(&sa.in6.sin6_addr, addr, 16);
    } else {
        sa.in.sin_family = AF_INET;
        sa.in.sin_port = htons(G5_GTPU_PORT);
        memcpy(&sa.in.sin_addr, addr, 4);
    }
    if (uv_udp_init(u->eng->loop, h) != 0)
        return G5_ERR_IO;
    h->data = u;
    u->n3_init[v6] = true;
    /* no sharing of 2152; an IPv6 socket serves IPv6 only (the IPv4 one has its own) */
    int rc = uv_udp_bind(h, &sa.sa, v6 ? UV_UDP_IPV6ONLY : 0);
    if (rc == 0)
        rc = uv_udp_recv_start(h, on_alloc, on_recv);
    if (rc != 0) {
        G5_LOGE("N3: cannot bind %s%s%s:%u: %s", v6 ? "[" : "", text, v6 ? "]" : "", G5_GTPU_PORT,
                uv_strerror(rc));
        return G5_ERR_IO;
    }
    return 0;
}

static void n3_close_handles(sim_up *u)
{
    uv_udp_t *hs[2] = {&u->n3, &u->n3v6};
    for (int i = 0; i < 2; i++)
        if (u->n3_init[i]) {
            u->n3_init[i] = false;
            uv_close((uv_handle_t *)hs[i], NULL);
        }
}

int sim_n3_open(sim_up *u)
{
    if (u->n3_open)
        return 0;
    if (u->n3_closing)
        return G5_ERR_STATE;
    /* gnb.n3.address (IPv4 or IPv6) and gnb.n3.address6; sim_config.c split them by
     * family and checked them */
    const sim_gnb_config *g = &u->cfg->gnb;
    memset(&u->n3_addr, 0, sizeof u->n3_addr);
    if ((g->n3_address[0] && g5_tnl_add_text(&u->n3_addr, g->n3_address)) ||
        (g->n3_address6[0] && g5_tnl_add_text(&u->n3_addr, g->n3_address6)) ||
        (!u->n3_addr.v4 && !u->n3_addr.v6)) {
        G5_LOGE("gnb.n3.address '%s' / address6 '%s': need an IPv4 and/or an IPv6 address",
                g->n3_address, g->n3_address6);
        memset(&u->n3_addr, 0, sizeof u->n3_addr);
        return G5_ERR_CONFIG;
    }
    int rc = 0;
    if (u->n3_addr.v4)
        rc = n3_bind(u, &u->n3, false, u->n3_addr.ipv4, g->n3_address);
    if (!rc && u->n3_addr.v6)
        rc = n3_bind(u, &u->n3v6, true, u->n3_addr.ipv6,
                     g->n3_address6[0] ? g->n3_address6 : g->n3_address);
    if (rc) {
        u->n3_closing = true;
        n3_close_handles(u);
        return rc;
    }
    u->n3_open = true;
    char a[G5_TNL_STR_MAX];
    G5_LOGN("N3 GTP-U endpoint on %s port %u", g5_tnl_str(&u->n3_addr, a, sizeof a), G5_GTPU_PORT);
    return 0;
}

void sim_n3_close(sim_up *u)
{
    if (!u->n3_open)
        return;
    u->n3_open = false;
    u->n3_closing = true;
    n3_close_handles(u);
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
    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
    } to;
    memset(&to, 0, sizeof to);
    if (s->ul_v6) { /* the family sim_up_gnb_setup picked (g5_tnl_pick) */
        to.in6.sin6_family = AF_INET6;
        to.in6.sin6_port = htons(G5_GTPU_PORT);
        memcpy(&to.in6.sin6_addr, s->upf.ipv6, 16);
    } else {
        to.in.sin_family = AF_INET;
        to.in.sin_port = htons(G5_GTPU_PORT);
        memcpy(&to.in.sin_addr, s->upf.ipv4, 4);
    }
    uv_buf_t b = uv_buf_init((char *)payload - hl, (unsigned)(len + (size_t)hl));
    if (uv_udp_try_send(s->ul_v6 ? &u->n3v6 : &u->n3, &b, 1, &to.sa) < 0) {
        u->st.n3_tx_errors++;
        return G5_ERR_AGAIN;
    }
    u->st.n3_tx++;
    s->ul_pkts++;
    s->ul_bytes += len;
    return 0;
}
