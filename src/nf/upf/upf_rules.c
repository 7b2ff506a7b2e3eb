/* UPF rule tables: the session pool and its indexes (SEID, TEID, UE IP), TEID allocation,
 * the per-QER token bucket that enforces MBR, and SDF filter parsing and matching. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/err.h"
#include "nf/upf/upf.h"

/* ---- token bucket ---- */

void upf_tbucket_init(upf_tbucket *b, uint64_t rate_bps, uint64_t now_ns)
{
    b->rate_bps = rate_bps;
    /* Depth: 50 ms of traffic, at least two full-size packets, so a sender descheduled for
     * a few ms does not lose its share, while the long-run rate is the MBR. */
    uint64_t burst = rate_bps / 20;
    if (burst < 2 * 1500 * 8)
        burst = 2 * 1500 * 8;
    b->burst_bits = burst;
    b->tokens = burst;
    b->last_ns = now_ns;
}

bool upf_tbucket_take(upf_tbucket *b, size_t bytes, uint64_t now_ns)
{
    if (!b->rate_bps)
        return true;
    if (now_ns > b->last_ns) {
        uint64_t dt = now_ns - b->last_ns;
        /* rate * dt / 1e9 without overflow: split dt into seconds and remainder. */
        uint64_t add = (dt / 1000000000u) * b->rate_bps +
                       (dt % 1000000000u) * (b->rate_bps / 1000u) / 1000000u +
                       (dt % 1000000000u) * (b->rate_bps % 1000u) / 1000000000u;
        if (add) {
            b->tokens = b->tokens + add > b->burst_bits ? b->burst_bits : b->tokens + add;
            b->last_ns = now_ns;
        }
    }
    uint64_t need = (uint64_t)bytes * 8u;
    if (b->tokens < need)
        return false;
    b->tokens -= need;
    return true;
}

/* ---- SDF filters ---- */

static const char *skip_ws(const char *s, const char *end)
{
    while (s < end && *s == ' ')
        s++;
    return s;
}

static size_t word(const char *s, const char *end, char *out, size_t cap)
{
    size_t n = 0;
    while (s + n < end && s[n] != ' ') {
        if (n + 1 < cap)
            out[n] = s[n];
        n++;
    }
    out[n < cap ? n : cap - 1] = 0;
    return n;
}

static int parse_addr(const char *w, uint32_t *addr, uint32_t *mask, bool *assigned)
{
    *assigned = false;
    if (!strcmp(w, "any")) {
        *addr = *mask = 0;
        return 0;
    }
    if (!strcmp(w, "assigned")) {
        *assigned = true;
        *addr = *mask = 0;
        return 0;
    }
    char tmp[48];
    unsigned plen = 32;
    snprintf(tmp, sizeof tmp, "%s", w);
    char *slash = strchr(tmp, '/');
    if (slash) {
        char *e = NULL;
        unsigned long v = strtoul(slash + 1, &e, 10);
        if (*e || v > 32)
            return G5_ERR_INVALID;
        plen = (unsigned)v;
        *slash = 0;
    }
    struct in_addr a;
    if (inet_pton(AF_INET, tmp, &a) != 1)
        return G5_ERR_UNSUPPORTED; /* IPv6 filters: not matched yet (docs/upf.md) */
    *mask = plen ? 0xffffffffu << (32 - plen) : 0;
    *addr = ntohl(a.s_addr) & *mask;
    return 0;
}

static bool parse_ports(const char *w, uint16_t *lo, uint16_t *hi)
{
    char *e = NULL;
    if (!isdigit((unsigned char)w[0]))
        return false;
    unsigned long a = strtoul(w, &e, 10), b = a;
    if (*e == '-')
        b = strtoul(e + 1, &e, 10);
    if (*e || a > 65535 || b > 65535 || a > b)
        return false;
    *lo = (uint16_t)a;
    *hi = (uint16_t)b;
    return true;
}

int upf_sdf_parse(const char *fd, size_t len, upf_sdf *f)
{
    const char *s = fd, *end = fd + len;
    char w[64];
    bool assigned = false;
    memset(f, 0, sizeof *f);
    f->sport_hi = f->dport_hi = 65535;
    static const char *const lead[] = {"permit", "out"};
    for (int i = 0; i < 2; i++) {
        s = skip_ws(s, end);
        s += word(s, end, w, sizeof w);
        if (strcmp(w, lead[i]) != 0)
            return G5_ERR_INVALID;
    }
    s = skip_ws(s, end);
    s += word(s, end, w, sizeof w);
    if (!strcmp(w, "ip"))
        f->proto = 0;
    else if (!strcmp(w, "udp"))
        f->proto = 17;
    else if (!strcmp(w, "tcp"))
        f->proto = 6;
    else if (!strcmp(w, "icmp"))
        f->proto = 1;
    else {
        char *e = NULL;
        unsigned long v = strtoul(w, &e, 10);
        if (!w[0] || *e || v > 255)
            return G5_ERR_INVALID;
        f->proto = (uint8_t)v;
    }
    s = skip_ws(s, end);
    s += word(s, end, w, sizeof w);
    if (strcmp(w, "from") != 0)
        return G5_ERR_INVALID;
    s = skip_ws(s, end);
    s += word(s, end, w, sizeof w);
    int rc = parse_addr(w, &f->src, &f->src_mask, &assigned);
    if (rc)
        return rc;
    s = skip_ws(s, end);
    s += word(s, end, w, sizeof w);
    if (parse_ports(w, &f->sport_lo, &f->sport_hi)) {
        s = skip_ws(s, end);
        s += word(s, end, w, sizeof w);
    }
    if (strcmp(w, "to") != 0)
        return G5_ERR_INVALID;
    s = skip_ws(s, end);
    s += word(s, end, w, sizeof w);
    rc = parse_addr(w, &f->dst, &f->dst_mask, &f->dst_assigned);
    if (rc)
        return rc;
    s = skip_ws(s, end);
    if (s < end) {
        s += word(s, end, w, sizeof w);
        if (!parse_ports(w, &f->dport_lo, &f->dport_hi))
            return G5_ERR_INVALID;
    }
    return skip_ws(s, end) == end ? 0 : G5_ERR_INVALID;
}

int upf_flow_parse(const uint8_t *ip, size_t len, upf_flow *f)
{
    memset(f, 0, sizeof *f);
    if (len < 1)
        return G5_ERR_TRUNCATED;
    f->ver = ip[0] >> 4;
    size_t l4;
    if (f->ver == 4) {
        size_t ihl = (size_t)(ip[0] & 15u) * 4u;
        if (len < 20 || ihl < 20 || ihl > len)
            return G5_ERR_TRUNCATED;
        f->proto = ip[9];
        f->src4 = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
        f->dst4 = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];
        l4 = ihl;
    } else if (f->ver == 6) {
        if (len < 40)
            return G5_ERR_TRUNCATED;
        f->proto = ip[6];
        f->src6 = ip + 8;
        f->dst6 = ip + 24;
        l4 = 40;
    } else {
        return G5_ERR_INVALID;
    }
    if ((f->proto == 6 || f->proto == 17) && len >= l4 + 4) {
        f->sport = (uint16_t)(ip[l4] << 8 | ip[l4 + 1]);
        f->dport = (uint16_t)(ip[l4 + 2] << 8 | ip[l4 + 3]);
    }
    return 0;
}

bool upf_sdf_match(const upf_sdf *f, const upf_flow *fl, bool uplink, uint32_t ue_ipv4)
{
    if (fl->ver != 4)
        return f->proto == 0 && !f->src_mask && !f->dst_mask; /* only "ip any" rules */
    if (f->proto && f->proto != fl->proto)
        return false;
    /* The rule's "from" side is the network, "to" the UE. */
    uint32_t net = uplink ? fl->dst4 : fl->src4, ue = uplink ? fl->src4 : fl->dst4;
    uint16_t nport = uplink ? fl->dport : fl->sport, uport = uplink ? fl->sport : fl->dport;
    if ((net & f->src_mask) != f->src)
        return false;
    if (f->dst_assigned ? ue != ue_ipv4 : (ue & f->dst_mask) != f->dst)
        return false;
    if (f->proto == 6 || f->proto == 17) {
        if (nport < f->sport_lo || nport > f->sport_hi || uport < f->dport_lo ||
            uport > f->dport_hi)
            return false;
    }
    return true;
}

/* ---- context ---- */

uint32_t upf_ntp_now(void)
{
    /* NTP era 0: seconds since 1900-01-01 (RFC 5905), 2208988800 s before the Unix epoch. */
    return (uint32_t)((uint64_t)time(NULL) + 2208988800u);
}

int upf_init(upf *u, const upf_params *p)
{
    memset(u, 0, sizeof *u);
    u->p = *p;
    if (!u->p.max_sessions)
        u->p.max_sessions = 1024;
    if (!u->p.recovery_ts)
        u->p.recovery_ts = upf_ntp_now();
    if (!u->p.err_ind_per_s)
        u->p.err_ind_per_s = 100;
    u->pool = calloc(u->p.max_sessions, sizeof *u->pool);
    if (!u->pool)
        return G5_ERR_NOMEM;
    g5_hmap_init(&u->by_seid);
    g5_hmap_init(&u->by_teid);
    g5_hmap_init(&u->by_ue4);
    g5_hmap_init(&u->by_ue6);
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = (uint64_t)time(NULL);
    u->next_seid = (r & 0xffffffffu) | 1u;
    /* Error Indications: err_ind_per_s "packets" of 1 octet, expressed as 8 bit/s each. */
    upf_tbucket_init(&u->err_ind_rl, 0, 0);
    u->err_ind_rl.rate_bps = u->p.err_ind_per_s * 8u;
    u->err_ind_rl.burst_bits = u->err_ind_rl.tokens = u->p.err_ind_per_s * 8u;
    return 0;
}

void upf_free(upf *u)
{
    for (uint32_t i = 0; u->pool && i < u->p.max_sessions; i++)
        upf_dlbuf_free(&u->pool[i]);
    g5_hmap_free(&u->by_seid);
    g5_hmap_free(&u->by_teid);
    g5_hmap_free(&u->by_ue4);
    g5_hmap_free(&u->by_ue6);
    for (unsigned i = 0; i < UPF_DUP_CACHE; i++)
        free(u->dup[i].rsp);
    free(u->pool);
    memset(u, 0, sizeof *u);
}

int upf_teid_alloc(upf *u, uint32_t *teid)
{
    for (int tries = 0; tries < 64; tries++) {
        uint32_t t = 0;
        if (getrandom(&t, sizeof t, 0) != (ssize_t)sizeof t)
            return G5_ERR_IO;
        if (t && !g5_hmap_get(&u->by_teid, t)) {
            *teid = t;
            return 0;
        }
    }
    return G5_ERR_LIMIT;
}

upf_sess *upf_sess_by_seid(const upf *u, uint64_t seid)
{
    return g5_hmap_get(&u->by_seid, seid);
}

upf_sess *upf_sess_by_teid(const upf *u, uint32_t teid)
{
    return g5_hmap_get(&u->by_teid, teid);
}

upf_sess *upf_sess_by_ue4(const upf *u, uint32_t ue4)
{
    return g5_hmap_get(&u->by_ue4, (uint64_t)ue4 + 1u); /* +1: key 0.0.0.0 stays usable */
}

upf_sess *upf_sess_by_ue6(const upf *u, const uint8_t prefix[8])
{
    uint64_t k = 0;
    memcpy(&k, prefix, 8);
    return g5_hmap_get(&u->by_ue6, k);
}
