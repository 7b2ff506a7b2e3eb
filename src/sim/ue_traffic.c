/* glass5g-sim UE user plane without TUN: an in-process traffic generator and the IPv6
 * address completion.
 *
 * Downlink IP packets of a session arrive here from N3: ICMP/ICMPv6 echo replies to the
 * generator's own requests (identifier SIM_PING_ID) are counted, an ICMPv6 Router
 * Advertisement gives the session's /64 (TS 29.061 11.2.1.3.2a: the UPF advertises the
 * prefix whose interface identifier the UE got in the PDU address), everything else goes
 * to the session's TUN if it has one. The generator sends N echo requests per second per
 * active session (IPv4 and/or IPv6 by the session's addresses) so load runs measure the
 * user plane without any TUN device. */
#define G5_LOG_MODULE "sim.traffic"
#include <arpa/inet.h>
#include <string.h>

#include "core/err.h"
#include "sim/sim_paging.h"
#include "core/log.h"
#include "gtpu/gtpu.h"
#include "sim/sim_up.h"

#define SIM_PING_ID 0x6735
#define PING_PAYLOAD 32

static uint16_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static uint16_t inet_csum(const uint8_t *p, size_t n)
{
    return (uint16_t)~csum_add(0, p, n);
}

/* ICMPv6 checksum over the pseudo-header (RFC 8200 8.1). */
static uint16_t icmp6_csum(const uint8_t *ip6, const uint8_t *icmp, size_t n)
{
    uint8_t ph[40];
    memcpy(ph, ip6 + 8, 32);
    ph[32] = (uint8_t)(n >> 24);
    ph[33] = (uint8_t)(n >> 16);
    ph[34] = (uint8_t)(n >> 8);
    ph[35] = (uint8_t)n;
    ph[36] = ph[37] = ph[38] = 0;
    ph[39] = 58;
    uint32_t s = csum_add(0, ph, sizeof ph);
    return (uint16_t)~csum_add(s, icmp, n);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Writes an IPv6 header + ICMPv6 body (already in p + 40) and its checksum. */
static size_t finish_ip6(uint8_t *p, const uint8_t src[16], const uint8_t dst[16], size_t body,
                         uint8_t hop)
{
    memset(p, 0, 8);
    p[0] = 0x60;
    put16(p + 4, (uint16_t)body);
    p[6] = 58;
    p[7] = hop;
    memcpy(p + 8, src, 16);
    memcpy(p + 24, dst, 16);
    put16(p + 42, 0);
    put16(p + 42, icmp6_csum(p, p + 40, body));
    return 40 + body;
}

static void ue_ipv6(const sim_sess *s, bool link_local, uint8_t a[16])
{
    memset(a, 0, 16);
    if (link_local)
        a[0] = 0xfe, a[1] = 0x80;
    else
        memcpy(a, s->ipv6_prefix, 8);
    memcpy(a + 8, s->ipv6_iid, 8);
}

int sim_up_send_rs(sim_up *u, sim_sess *s)
{
    static const uint8_t all_routers[16] = {0xff, 0x02, [15] = 0x02};
    uint8_t *p = u->tx + G5_GTPU_HEADROOM;
    uint8_t src[16];
    ue_ipv6(s, true, src);
    memset(p + 40, 0, 8); /* RFC 4861 4.1: type 133, code 0, checksum, reserved */
    p[40] = 133;
    s->t_ra_sent_ms = g5_clock_ms();
    return sim_n3_send_ul(u, s, p, finish_ip6(p, src, all_routers, 8, 255));
}

int sim_up_send_ping(sim_up *u, sim_sess *s, bool v6)
{
    uint8_t *p = u->tx + G5_GTPU_HEADROOM;
    uint16_t seq = ++s->ping_seq;
    size_t len;
    if (v6) {
        if (!s->has_prefix || !u->has_ping_dst6)
            return G5_ERR_STATE;
        uint8_t src[16];
        ue_ipv6(s, false, src);
        uint8_t *icmp = p + 40;
        icmp[0] = 128;
        icmp[1] = 0;
        put16(icmp + 4, SIM_PING_ID);
        put16(icmp + 6, seq);
        memset(icmp + 8, 0xa5, PING_PAYLOAD);
        len = finish_ip6(p, src, u->ping_dst6, 8 + PING_PAYLOAD, 64);
    } else {
        if (!s->has_ipv4 || !u->has_ping_dst4)
            return G5_ERR_STATE;
        len = 20 + 8 + PING_PAYLOAD;
        memset(p, 0, 20);
        p[0] = 0x45;
        put16(p + 2, (uint16_t)len);
        put16(p + 4, seq);
        p[8] = 64;
        p[9] = 1; /* ICMP */
        memcpy(p + 12, s->ipv4, 4);
        memcpy(p + 16, u->ping_dst4, 4);
        put16(p + 10, inet_csum(p, 20));
        uint8_t *icmp = p + 20;
        memset(icmp, 0, 8);
        icmp[0] = 8;
        put16(icmp + 4, SIM_PING_ID);
        put16(icmp + 6, seq);
        memset(icmp + 8, 0xa5, PING_PAYLOAD);
        put16(icmp + 2, inet_csum(icmp, 8 + PING_PAYLOAD));
    }
    int rc = sim_n3_send_ul(u, s, p, len);
    if (!rc) {
        s->ping_sent++;
        u->st.ping_sent++;
    }
    return rc;
}

/* RFC 4861 4.2/4.6.2: the first Prefix Information option of a Router Advertisement. */
static bool on_ra(sim_up *u, sim_sess *s, const uint8_t *icmp, size_t n)
{
    for (size_t off = 16; off + 2 <= n;) {
        size_t olen = (size_t)icmp[off + 1] * 8;
        if (!olen || off + olen > n)
            return false;
        if (icmp[off] == 3 && olen == 32 && icmp[off + 2] <= 64) {
            memcpy(s->ipv6_prefix, icmp + off + 16, 8);
            s->has_prefix = true;
            u->st.ra_recv++;
            sim_tun_set_ipv6(u, s);
            return true;
        }
        off += olen;
    }
    return false;
}

/* True when the packet was for the simulator itself (consumed). */
static bool consume(sim_up *u, sim_sess *s, const uint8_t *p, size_t n)
{
    if (n >= 28 && (p[0] >> 4) == 4 && p[9] == 1) {
        size_t ihl = (size_t)(p[0] & 0x0f) * 4;
        if (ihl < 20 || n < ihl + 8)
            return false;
        const uint8_t *icmp = p + ihl;
        if (icmp[0] == 0 && (icmp[4] << 8 | icmp[5]) == SIM_PING_ID) {
            s->ping_recv++;
            u->st.ping_recv++;
            return true;
        }
        return false;
    }
    if (n >= 48 && (p[0] >> 4) == 6 && p[6] == 58) {
        const uint8_t *icmp = p + 40;
        size_t len = n - 40;
        if (icmp[0] == 129 && (icmp[4] << 8 | icmp[5]) == SIM_PING_ID) {
            s->ping_recv++;
            u->st.ping_recv++;
            return true;
        }
        if (icmp[0] == 134 && len >= 16) {
            bool was = s->has_prefix;
            on_ra(u, s, icmp, len);
            return !s->tun || !was; /* the TUN's kernel has no use for it before */
        }
    }
    return false;
}

void sim_up_deliver_dl(sim_up *u, sim_sess *s, const uint8_t *p, size_t n)
{
    s->dl_pkts++;
    s->dl_bytes += n;
    if (!consume(u, s, p, n) && s->tun && sim_tun_write(s, p, n) != 0)
        u->st.tun_errors++;
    sim_paging_on_dl(u->eng, s->ue); /* a paged UE waiting for its data (sim_paging.c) */
}

void sim_up_sess_ready(sim_up *u, sim_sess *s)
{
    if (s->state != SIM_SESS_ACTIVE || !s->n3_up)
        return;
    const sim_ue_template *t = &u->cfg->ue[s->ue->group < u->cfg->nue ? s->ue->group : 0];
    if (t->tun && !s->tun) {
        char err[160];
        if (sim_tun_open(u, s, t->netns, err, sizeof err) != 0)
            G5_LOGW("PDU session %u: no TUN: %s", s->psi, err);
    }
    if (s->has_ipv6 && !s->has_prefix)
        sim_up_send_rs(u, s);
}

static void on_ping_tick(uv_timer_t *t)
{
    sim_up *u = t->data;
    size_t it = 0;
    uint64_t key;
    void *val;
    uint64_t now = g5_clock_ms();
    while (g5_hmap_next(&u->by_dl_teid, &it, &key, &val)) {
        sim_sess *s = val;
        if (s->state != SIM_SESS_ACTIVE || !s->n3_up)
            continue;
        if (s->has_ipv4)
            sim_up_send_ping(u, s, false);
        if (s->has_ipv6 && !s->has_prefix && now - s->t_ra_sent_ms > 1000)
            sim_up_send_rs(u, s); /* the RA got lost: ask again */
        if (s->has_prefix)
            sim_up_send_ping(u, s, true);
    }
}

int sim_up_ping_start(sim_up *u, uint32_t rate, const char *dst4, const char *dst6)
{
    if (dst4 && dst4[0]) {
        if (inet_pton(AF_INET, dst4, u->ping_dst4) != 1)
            return G5_ERR_INVALID;
        u->has_ping_dst4 = true;
    }
    if (dst6 && dst6[0]) {
        if (inet_pton(AF_INET6, dst6, u->ping_dst6) != 1)
            return G5_ERR_INVALID;
        u->has_ping_dst6 = true;
    }
    if (!rate || rate > 1000)
        return G5_ERR_INVALID;
    u->ping_rate = rate;
    if (!u->ping_timer_init) {
        if (uv_timer_init(u->eng->loop, &u->ping_timer) != 0)
            return G5_ERR_IO;
        u->ping_timer_init = true;
        u->ping_timer.data = u;
    }
    uint64_t period = 1000 / rate;
    uv_timer_start(&u->ping_timer, on_ping_tick, period, period ? period : 1);
    return 0;
}
