#include "core/pcap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "core/buf.h"
#include "core/err.h"

/* Exported-PDU tag numbers, from Wireshark's epan/exported_pdu.h (facts, not code). */
enum {
    TAG_END_OF_OPT = 0,
    TAG_PROTO_NAME = 12,
    TAG_IPV4_SRC = 20,
    TAG_IPV4_DST = 21,
    TAG_PORT_TYPE = 24, /* value: 4-byte port type; 3 = UDP, 1 = SCTP (wireshark port_type) */
    TAG_SRC_PORT = 25,
    TAG_DST_PORT = 26,
};
#define LINKTYPE_WIRESHARK_UPPER_PDU 252
#define MAX_RECORD 65535

struct g5_pcap {
    FILE *f;
};

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

g5_pcap *g5_pcap_open(const char *path)
{
    g5_pcap *pc = calloc(1, sizeof *pc);
    if (!pc)
        return NULL;
    pc->f = fopen(path, "wb");
    if (!pc->f) {
        free(pc);
        return NULL;
    }
    uint8_t hdr[24];
    put_le32(hdr, 0xa1b2c3d4); /* microsecond timestamps, little endian */
    hdr[4] = 2, hdr[5] = 0, hdr[6] = 4, hdr[7] = 0; /* version 2.4 */
    put_le32(hdr + 8, 0);
    put_le32(hdr + 12, 0);
    put_le32(hdr + 16, MAX_RECORD);
    put_le32(hdr + 20, LINKTYPE_WIRESHARK_UPPER_PDU);
    if (fwrite(hdr, sizeof hdr, 1, pc->f) != 1) {
        fclose(pc->f);
        free(pc);
        return NULL;
    }
    return pc;
}

/* Tags are big endian: type(2) length(2) value padded to a multiple of 4. */
static void tag(g5_wbuf *w, uint16_t type, const void *val, uint16_t len)
{
    g5_wbuf_u16(w, type);
    g5_wbuf_u16(w, (uint16_t)((len + 3u) & ~3u));
    g5_wbuf_bytes(w, val, len);
    g5_wbuf_zeros(w, ((len + 3u) & ~3u) - len);
}

static void tag_u32(g5_wbuf *w, uint16_t type, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    tag(w, type, b, 4);
}

int g5_pcap_write(g5_pcap *pc, const char *proto, uint32_t src_ip, uint16_t src_port,
                  uint32_t dst_ip, uint16_t dst_port, const uint8_t *data, size_t len)
{
    uint8_t rec[MAX_RECORD];
    g5_wbuf w;
    g5_wbuf_init(&w, rec, sizeof rec);
    size_t plen = strlen(proto);
    if (plen > 64)
        return G5_ERR_INVALID;
    tag(&w, TAG_PROTO_NAME, proto, (uint16_t)plen);
    if (src_ip || dst_ip) {
        tag_u32(&w, TAG_IPV4_SRC, src_ip);
        tag_u32(&w, TAG_IPV4_DST, dst_ip);
    }
    if (src_port || dst_port) {
        tag_u32(&w, TAG_PORT_TYPE, 3);
        tag_u32(&w, TAG_SRC_PORT, src_port);
        tag_u32(&w, TAG_DST_PORT, dst_port);
    }
    tag(&w, TAG_END_OF_OPT, NULL, 0);
    if (g5_wbuf_bytes(&w, data, len) != 0)
        return G5_ERR_TOO_LONG;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint8_t rh[16];
    put_le32(rh, (uint32_t)tv.tv_sec);
    put_le32(rh + 4, (uint32_t)tv.tv_usec);
    put_le32(rh + 8, (uint32_t)w.len);
    put_le32(rh + 12, (uint32_t)w.len);
    if (fwrite(rh, sizeof rh, 1, pc->f) != 1 || fwrite(rec, w.len, 1, pc->f) != 1)
        return G5_ERR_IO;
    return 0;
}

void g5_pcap_close(g5_pcap *pc)
{
    if (!pc)
        return;
    fclose(pc->f);
    free(pc);
}
