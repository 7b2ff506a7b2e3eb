/* N2 over SCTP (TS 38.412): one listener; each association is a gNB context fed to
 * amf_ngap_rx; association loss releases the gNB's UE contexts. Also the optional
 * signalling capture (--pcap). */
#define G5_LOG_MODULE "amf"
#include "core/err.h"
#include "core/log.h"
#include "nf/amf/amf_int.h"

/* arg is the association, whose user is the gNB context from amf_gnb_attach on (nothing
 * is sent before). A full send buffer queues the message (bounded) instead of losing it. */
static int sctp_send(void *arg, uint16_t stream, const uint8_t *p, size_t n)
{
    amf_gnb *g = g5_sctp_user(arg);
    return g5_sctp_sendq_send(&g->sq, arg, stream, G5_SCTP_PPID_NGAP, p, n);
}

static void on_writable(g5_sctp_assoc *as)
{
    amf_gnb *g = g5_sctp_user(as);
    g5_sctp_sendq_flush(&g->sq, as);
}

static void on_up(g5_sctp_assoc *as)
{
    amf *a = g5_sctp_user(as);
    g5_sctp_info info;
    const char *peer = g5_sctp_assoc_info(as, &info) == 0 ? info.peer_addr : "?";
    amf_gnb *g = amf_gnb_attach(a, sctp_send, as, peer);
    if (!g) {
        g5_sctp_abort(as);
        return;
    }
    g->assoc = as;
    g5_sctp_set_user(as, g);
    G5_LOGI("N2 association up from %s", peer);
}

static void on_data(g5_sctp_assoc *as, const g5_sctp_msg *m)
{
    amf_gnb *g = g5_sctp_user(as);
    if (m->ppid != G5_SCTP_PPID_NGAP)
        G5_LOGD("N2: PPID %u (expected 60)", m->ppid);
    amf_ngap_rx(g, m->stream, m->data, m->len);
}

static void on_down(g5_sctp_assoc *as, g5_sctp_down why)
{
    amf_gnb *g = g5_sctp_user(as);
    (void)why;
    amf_gnb_detach(g);
}

int amf_n2_listen(amf *a, const g5_sctp_cfg *scfg)
{
    static const g5_sctp_cbs cbs = {
        .up = on_up, .data = on_data, .down = on_down, .writable = on_writable};
    g5_sctp_addrs local = {.addr = {a->cfg->amf.n2_addr}, .n = 1, .port = a->cfg->amf.n2_port};
    return g5_sctp_listen(a->loop, scfg, &local, &cbs, a, &a->ep);
}

uint16_t amf_n2_port(const amf *a)
{
    return a->ep ? g5_sctp_ep_port(a->ep) : 0;
}

int amf_pcap_open(amf *a, const char *path)
{
    a->pcap = g5_pcap_open(path);
    return a->pcap ? 0 : G5_ERR_IO;
}
