/* UPF downlink buffering (TS 29.244 §5.2.4.1; TS 23.502 §4.2.3.3 step 1): while a
 * session's DL FAR says BUFF (the UE is CM-IDLE), its downlink packets are copied here,
 * at most UPF_DLBUF_PKTS packets / UPF_DLBUF_BYTES octets per session (beyond that they
 * are dropped and counted: a paged UE that takes long must not grow the UPF without
 * bound). When a Session Modification makes a DL FAR forward again (the gNB tunnel after
 * the service request), the held packets go through the normal downlink path in arrival
 * order and out on N3, so the packet that triggered the paging is delivered too. */
#define G5_LOG_MODULE "upf"
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "gtpu/gtpu.h"
#include "nf/upf/upf.h"

typedef struct dl_pkt {
    struct dl_pkt *next;
    size_t len;
    uint8_t ip[];
} dl_pkt;

struct upf_dlbuf {
    dl_pkt *head, *tail;
    size_t n, bytes;
};

bool upf_dlbuf_hold(upf *u, upf_sess *s, const uint8_t *ip, size_t len)
{
    struct upf_dlbuf *b = s->dlbuf;
    if (!b && !(b = s->dlbuf = calloc(1, sizeof *b))) {
        u->c.buf_dropped++;
        return false;
    }
    if (b->n >= UPF_DLBUF_PKTS || b->bytes + len > UPF_DLBUF_BYTES) {
        u->c.buf_dropped++;
        return false;
    }
    dl_pkt *p = malloc(sizeof *p + len);
    if (!p) {
        u->c.buf_dropped++;
        return false;
    }
    p->next = NULL;
    p->len = len;
    memcpy(p->ip, ip, len);
    if (b->tail)
        b->tail->next = p;
    else
        b->head = p;
    b->tail = p;
    b->n++;
    b->bytes += len;
    return true;
}

size_t upf_dlbuf_count(const upf_sess *s)
{
    return s->dlbuf ? s->dlbuf->n : 0;
}

void upf_dlbuf_free(upf_sess *s)
{
    struct upf_dlbuf *b = s->dlbuf;
    if (!b)
        return;
    for (dl_pkt *p = b->head, *n; p; p = n) {
        n = p->next;
        free(p);
    }
    free(b);
    s->dlbuf = NULL;
}

void upf_dlbuf_flush(upf *u, upf_sess *s, uint64_t now_ns)
{
    struct upf_dlbuf *b = s->dlbuf;
    if (!b)
        return;
    s->dlbuf = NULL; /* detached: a packet whose FAR still buffers is held again, in order */
    static uint8_t buf[G5_GTPU_HEADROOM + 65536];
    size_t sent = 0;
    for (dl_pkt *p = b->head, *n; p; p = n) {
        n = p->next;
        upf_out o;
        if (p->len <= sizeof buf - G5_GTPU_HEADROOM) {
            uint8_t *ip = buf + G5_GTPU_HEADROOM;
            memcpy(ip, p->ip, p->len);
            if (upf_downlink(u, ip, p->len, now_ns, &o) == UPF_TO_N3 && u->n3_send) {
                u->n3_send(u->n3_arg, &o);
                u->c.buf_flushed++;
                sent++;
            }
        }
        free(p);
    }
    free(b);
    if (sent)
        G5_LOGD("session 0x%llx: %zu buffered downlink packets sent", (unsigned long long)s->seid,
                sent);
}
