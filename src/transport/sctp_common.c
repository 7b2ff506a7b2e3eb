/* What both SCTP backends do the same way over two different ABIs: decoding RFC 6458
 * notifications into association events, and turning the end of a receive into the
 * right cbs->down reason.
 *
 * lksctp (<netinet/sctp.h>) and usrsctp (<usrsctp.h>) declare the same RFC 6458 structs
 * with different constants (SCTP_ASSOC_CHANGE is 0x8001 in one, 0x0001 in the other) and
 * slightly different layouts, and the two headers cannot share a translation unit. So
 * this file includes neither: each backend describes its ABI once in a g5__sctp_abi
 * (constants and field offsets, filled with offsetof() from its own header), and the
 * decoding and dispatch below are written once against that description. */
#define G5_LOG_MODULE "sctp"
#include "transport/sctp_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "core/log.h"

static uint16_t rd16(const uint8_t *p, size_t off)
{
    uint16_t v;
    memcpy(&v, p + off, sizeof v);
    return v;
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, sizeof v);
    return v;
}

/* sac_state -> event; -1 for a state we do not act on (RFC 6458 6.1.1). */
static int assoc_state(const g5__sctp_abi *abi, uint16_t st)
{
    for (int i = 0; i < G5__AC_COUNT; i++)
        if (abi->ac_state[i] == st)
            return i;
    return -1;
}

/* spc_state -> event (RFC 6458 6.1.2). */
static g5_sctp_paddr paddr_state(const g5__sctp_abi *abi, uint32_t st)
{
    for (int i = 0; i < G5__PADDR_KNOWN; i++)
        if (abi->pc_state[i] == st)
            return (g5_sctp_paddr)i;
    return G5_SCTP_PADDR_OTHER;
}

static void on_assoc_change(g5_sctp_assoc *a, const g5__sctp_abi *abi, const uint8_t *p, size_t n)
{
    if (n < abi->ac.size)
        return;
    int st = assoc_state(abi, rd16(p, abi->ac.state));
    if (st >= 0)
        g5__sctp_assoc_change(a, (enum g5__sctp_ac)st, rd16(p, abi->ac.os), rd16(p, abi->ac.is));
}

static void on_paddr_change(g5_sctp_assoc *a, const g5__sctp_abi *abi, const uint8_t *p, size_t n)
{
    if (n < abi->pc.size)
        return;
    struct sockaddr_storage ss; /* copied: the notification may be unaligned */
    memcpy(&ss, p + abi->pc.addr, sizeof ss);
    g5__sctp_peer_addr(a, (const struct sockaddr *)&ss, paddr_state(abi, rd32(p, abi->pc.state)));
}

static void on_send_failed(g5_sctp_assoc *a, const struct g5__sctp_abi_sf *sf, const uint8_t *p,
                           size_t n)
{
    if (n < sf->size)
        return;
    g5__sctp_send_failed(a, rd16(p, sf->sid), ntohl(rd32(p, sf->ppid)), rd32(p, sf->error));
}

void g5__sctp_notification(g5_sctp_assoc *a, const g5__sctp_abi *abi, const uint8_t *p, size_t n)
{
    if (n < 8) /* sn_type, sn_flags, sn_length: the same in every RFC 6458 notification */
        return;
    uint16_t type = rd16(p, 0);
    if (type == abi->t_assoc_change)
        on_assoc_change(a, abi, p, n);
    else if (type == abi->t_paddr_change)
        on_paddr_change(a, abi, p, n);
    else if (type == abi->t_send_failed_event)
        on_send_failed(a, &abi->sfe, p, n);
    else if (abi->t_send_failed && type == abi->t_send_failed)
        on_send_failed(a, &abi->sf, p, n);
    else if (type == abi->t_shutdown)
        g5__sctp_peer_shutdown(a);
}

void g5__sctp_read_end(g5_sctp_assoc *a, int err)
{
    if (err) {
        G5_LOGD("receive: %s", strerror(err));
        g5__sctp_down(a, !a->up              ? G5_SCTP_DOWN_CONNECT_FAILED
                         : err == ECONNRESET ? G5_SCTP_DOWN_ABORTED
                                             : G5_SCTP_DOWN_ERROR);
        return;
    }
    /* end of stream without a notification we saw */
    g5__sctp_down(a, a->shutting ? G5_SCTP_DOWN_SHUTDOWN
                     : a->up     ? G5_SCTP_DOWN_ABORTED
                                 : G5_SCTP_DOWN_CONNECT_FAILED);
}

int g5__sctp_backlog(const g5_sctp_cfg *cfg)
{
    /* not below 128: refusals above max_assocs are ours (counted, logged), not the stack's */
    return cfg->max_assocs < 128 ? 128 : cfg->max_assocs < 4096 ? (int)cfg->max_assocs : 4096;
}
