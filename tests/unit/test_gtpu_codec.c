/* GTP-U codec: header parse, extension header walk (including the hostile cases), PDU
 * Session Container, in-place encap, path/tunnel messages and the JSON round trip.
 * Byte vectors are written out by hand from TS 29.281 §5/§7/§8 and TS 38.415 §5.5.2 (the
 * tshark and scapy cross-checks are in tests/integration/test_gtpu_oracles.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_json.h"
#include "core/err.h"
#include "core/hex.h"
#include "gtpu/gtpu.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    int n = g5_hex_decode(hex, out, cap);
    assert_true(n >= 0);
    return (size_t)n;
}

/* Valid messages used by several tests (hex, spaces for reading). */
static const char *const valid[] = {
    /* G-PDU, no optional fields, 4-octet T-PDU */
    "30ff0004 00000001 deadbeef",
    /* G-PDU, S=1 seq 0x1234 */
    "32ff0008 11223344 12340000 c0ffee00",
    /* G-PDU, E=1, DL PSC QFI 9, RQI, PPP/PPI 5 (content 3 octets + 3 padding = units 2) */
    "34ff0010 00000001 00000085 0200c9a0 00000000 45000000",
    /* G-PDU, E=1, UL PSC QFI 1 */
    "34ff000c 00000002 00000085 01100100 45000000",
    /* G-PDU, UL PSC with QMP, DL/UL delay, SNP, N3/N9 delay: 2+24+4+4+3+4 = 41 -> units 11 */
    ("34ff0030 00000002 00000085 0b1f81"
     "1111111111111111 2222222222222222 3333333333333333"
     "00000064 000000c8 000102 0000012c 00 00"),
    /* G-PDU, E=1 with two headers: UDP Port then PDU Session Container */
    "34ff000c 00000003 00000040 01086885 01000500",
    /* G-PDU with PN and an unknown not-required extension header (0x01) then PDCP PDU number */
    "35ff0010 00000004 00000701 01abcdc0 01010200 aabbccdd",
    /* G-PDU, E=1 but no extension headers (next type 0), empty T-PDU */
    "34ff0004 00000005 00000000",
    /* Echo Request seq 1 */
    "32010004 00000000 00010000",
    /* Echo Response seq 1, Recovery 0 */
    "32020006 00000000 00010000 0e00",
    /* Echo Response with a Private Extension (enterprise 10415, 2 octets) */
    "3202000d 00000000 00010000 0e00 ff0004 28af 0102",
    /* Error Indication: TEID Data I 0x01020304, peer 192.0.2.1 */
    "321a0010 00000000 00050000 10 01020304 850004 c0000201",
    /* Error Indication with UDP Port extension header (port 2152) and IPv6 peer */
    ("361a0020 00000000 00060040 01 0868 00"
     "10 01020304 850010 20010db8000000000000000000000001"),
    /* Supported Extension Headers Notification: 0x40, 0x85 */
    "321f0008 00000000 00070000 8d02 4085",
    /* End Marker for TEID 0x10 */
    "30fe0000 00000010",
    /* End Marker with PDU Session Container (DL QFI 3) */
    "34fe0008 00000010 00000085 01000300",
};

static void test_parse_minimal_gpdu_is_zero_copy(void **state)
{
    (void)state;
    uint8_t p[64];
    size_t n = unhex(valid[0], p, sizeof p);
    g5_gtpu_hdr h;
    assert_int_equal(g5_gtpu_parse(p, n, &h), 0);
    assert_int_equal(h.msg_type, G5_GTPU_GPDU);
    assert_int_equal(h.teid, 1);
    assert_int_equal(h.length, 4);
    assert_false(h.has_opt);
    assert_int_equal(h.hdr_len, 8);
    assert_ptr_equal(h.payload, p + 8); /* points into the packet */
    assert_int_equal(h.payload_len, 4);
}

static void test_parse_seq_and_psc(void **state)
{
    (void)state;
    uint8_t p[128];
    g5_gtpu_hdr h;
    size_t n = unhex(valid[1], p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), 0);
    assert_true(h.flags & G5_GTPU_FLAG_S);
    assert_int_equal(h.seq, 0x1234);
    assert_int_equal(h.hdr_len, 12);

    n = unhex(valid[2], p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), 0);
    assert_true(h.has_psc);
    assert_int_equal(h.n_ext, 1);
    assert_int_equal(h.ext[0].units, 2);
    assert_int_equal(h.psc.pdu_type, G5_GTPU_PSC_DL);
    assert_int_equal(h.psc.qfi, 9);
    assert_true(h.psc.rqi);
    assert_true(h.psc.ppp);
    assert_int_equal(h.psc.ppi, 5);
    assert_int_equal(h.psc.tail_len, 3); /* padding */
    assert_int_equal(h.hdr_len, 20);
    assert_int_equal(h.payload[0], 0x45);

    n = unhex(valid[4], p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), 0);
    assert_int_equal(h.psc.pdu_type, G5_GTPU_PSC_UL);
    assert_int_equal(h.psc.qfi, 1);
    assert_true(h.psc.qmp && h.psc.snp && h.psc.dl_delay_ind && h.psc.ul_delay_ind);
    assert_true(h.psc.n3n9_delay_ind);
    assert_true(h.psc.dl_sending_ts == 0x1111111111111111ull);
    assert_true(h.psc.dl_received_ts == 0x2222222222222222ull);
    assert_true(h.psc.ul_sending_ts == 0x3333333333333333ull);
    assert_int_equal(h.psc.dl_delay_result, 100);
    assert_int_equal(h.psc.ul_delay_result, 200);
    assert_int_equal(h.psc.qfi_sn, 0x102);
    assert_int_equal(h.psc.n3n9_delay_result, 300);
    assert_int_equal(h.payload_len, 0);
}

static void test_parse_chain_of_known_and_unknown_headers(void **state)
{
    (void)state;
    uint8_t p[128];
    g5_gtpu_hdr h;
    size_t n = unhex(valid[5], p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), 0);
    assert_int_equal(h.n_ext, 2);
    assert_int_equal(h.ext[0].type, G5_GTPU_EXT_UDP_PORT);
    assert_int_equal(h.ext[0].content[0] << 8 | h.ext[0].content[1], 2152);
    assert_int_equal(h.ext[1].type, G5_GTPU_EXT_PDU_SESSION_CONTAINER);
    assert_int_equal(h.psc.qfi, 5);

    n = unhex(valid[6], p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), 0);
    assert_int_equal(h.npdu, 7);
    assert_int_equal(h.n_ext, 2);
    assert_int_equal(h.ext[0].type, 0x01); /* unknown, comprehension not required: kept */
    assert_int_equal(h.ext[1].type, G5_GTPU_EXT_PDCP_PDU_NUMBER);
    assert_int_equal(h.payload_len, 4);
}

/* Every strict prefix of a valid datagram is rejected, and nothing reads past it (ASan). */
static void test_truncation_at_every_offset(void **state)
{
    (void)state;
    for (size_t v = 0; v < sizeof valid / sizeof valid[0]; v++) {
        uint8_t p[128];
        size_t n = unhex(valid[v], p, sizeof p);
        for (size_t cut = 0; cut < n; cut++) {
            uint8_t *q = malloc(cut ? cut : 1); /* exact-size copy so ASan sees overreads */
            memcpy(q, p, cut);
            g5_gtpu_hdr h;
            assert_int_equal(g5_gtpu_parse(q, cut, &h), G5_ERR_TRUNCATED);
            free(q);
        }
    }
}

/* Same, but with the Length field rewritten to match the cut: the header walk itself must
 * notice that an optional field or an extension header is incomplete. */
static void test_consistent_truncation_inside_header(void **state)
{
    (void)state;
    for (size_t v = 0; v < sizeof valid / sizeof valid[0]; v++) {
        uint8_t p[128];
        size_t n = unhex(valid[v], p, sizeof p);
        g5_gtpu_hdr full;
        assert_int_equal(g5_gtpu_parse(p, n, &full), 0);
        for (size_t cut = 8; cut < n; cut++) {
            uint8_t *q = malloc(cut);
            memcpy(q, p, cut);
            q[2] = (uint8_t)((cut - 8) >> 8);
            q[3] = (uint8_t)(cut - 8);
            g5_gtpu_hdr h;
            int rc = g5_gtpu_parse(q, cut, &h);
            if (cut < full.hdr_len)
                assert_true(rc == G5_ERR_TRUNCATED || rc == G5_ERR_INVALID);
            else
                assert_int_equal(rc, 0); /* a shorter payload is still a valid packet */
            free(q);
        }
    }
}

static void test_zero_length_extension_header_is_rejected(void **state)
{
    (void)state; /* Open5GS CVE-2023-23846: a zero length must not loop */
    uint8_t p[64];
    g5_gtpu_hdr h;
    size_t n = unhex("34ff0008 00000001 00000085 00000000", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_INVALID);
    /* zero length as the second header of a chain */
    n = unhex("34ff000c 00000001 00000040 01086885 00000000", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_INVALID);
}

static void test_bogus_length_fields(void **state)
{
    (void)state;
    uint8_t p[64];
    g5_gtpu_hdr h;
    size_t n = unhex("30ff0005 00000001 deadbeef", p, sizeof p); /* Length > datagram */
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_TRUNCATED);
    n = unhex("30ff0003 00000001 deadbeef", p, sizeof p); /* Length < datagram */
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_INVALID);
    n = unhex("30ffffff 00000001 deadbeef", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_TRUNCATED);
    n = unhex("32ff0002 00000001 0001", p, sizeof p); /* S=1 but Length < 4 */
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_INVALID);
    /* extension header length 2 (8 octets) but only 4 left: runs off the end */
    n = unhex("34ff0008 00000001 00000085 02000100", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_TRUNCATED);
    /* the maximum length 255 units in a short packet */
    n = unhex("34ff0008 00000001 00000040 ff086800", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_TRUNCATED);
    /* next type announced but the message ends */
    n = unhex("34ff0004 00000001 00000040", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_TRUNCATED);
}

/* A chain of `count` unknown not-required (type 0x01) one-unit headers. */
static size_t make_chain(uint8_t *p, size_t count)
{
    size_t off = 12;
    memcpy(p, "\x34\xff\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01", 12);
    for (size_t i = 0; i < count; i++) {
        p[off] = 1;
        p[off + 1] = p[off + 2] = 0;
        p[off + 3] = i + 1 < count ? 0x01 : 0x00;
        off += 4;
    }
    p[2] = (uint8_t)((off - 8) >> 8);
    p[3] = (uint8_t)(off - 8);
    return off;
}

static void test_chain_length_is_bounded(void **state)
{
    (void)state;
    static uint8_t p[12 + 4 * 16000];
    g5_gtpu_hdr h;
    size_t n = make_chain(p, G5_GTPU_MAX_EXT);
    assert_int_equal(g5_gtpu_parse(p, n, &h), 0);
    assert_int_equal(h.n_ext, G5_GTPU_MAX_EXT);
    n = make_chain(p, G5_GTPU_MAX_EXT + 1);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_LIMIT);
    n = make_chain(p, 16000); /* nearly 64 KiB of headers: stops at the bound */
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_LIMIT);
}

static void test_unknown_comprehension_required_header(void **state)
{
    (void)state; /* §5.2.1: reported so the caller can send a Supported Ext. Hdrs Notif. */
    uint8_t p[64];
    g5_gtpu_hdr h;
    size_t n = unhex("34ff000c 00abcdef 00000099 01000000 45000000", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_UNSUPPORTED);
    assert_int_equal(h.unsupported_ext, 0x99);
    assert_int_equal(h.teid, 0xabcdef);
    /* the notification we would answer with lists what we support, not 0x99 */
    const uint8_t *types;
    size_t nt = g5_gtpu_supported_ext_types(&types);
    assert_non_null(memchr(types, G5_GTPU_EXT_PDU_SESSION_CONTAINER, nt));
    assert_null(memchr(types, 0x99, nt));
    for (size_t i = 0; i < nt; i++)
        assert_true(g5_gtpu_ext_known(types[i]));
    n = unhex("34ff000c 00abcdef 000000c7 01000000 45000000", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_UNSUPPORTED);
    assert_int_equal(h.unsupported_ext, 0xc7);
    /* 0x41 (bits 01): not required, skipped */
    n = unhex("34ff000c 00abcdef 00000041 01000000 45000000", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), 0);
    assert_int_equal(h.unsupported_ext, 0);
}

static void test_malformed_known_headers(void **state)
{
    (void)state;
    uint8_t p[64];
    g5_gtpu_hdr h;
    /* UDP Port header must be 1 unit (§5.2.2.1) */
    size_t n = unhex("34ff000c 00000001 00000040 02086800 00000000", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_INVALID);
    /* two PDU Session Containers */
    n = unhex("34ff000c 00000001 00000085 01000185 01000100", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_REPEATED);
    /* DL PSC announcing QMP (8-octet time stamp) in a 2-octet content */
    n = unhex("34ff0008 00000001 00000085 01080100", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_TRUNCATED);
    /* PSC PDU type 2 is reserved */
    n = unhex("34ff0008 00000001 00000085 01200100", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_UNSUPPORTED);
    /* version 2 and GTP' (PT=0) are not GTP-U */
    n = unhex("50ff0004 00000001 deadbeef", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_UNSUPPORTED);
    n = unhex("20ff0004 00000001 deadbeef", p, sizeof p);
    assert_int_equal(g5_gtpu_parse(p, n, &h), G5_ERR_UNSUPPORTED);
}

static void test_encap_in_place_with_psc(void **state)
{
    (void)state;
    uint8_t buf[G5_GTPU_HEADROOM + 32];
    uint8_t *payload = buf + G5_GTPU_HEADROOM;
    memcpy(payload, "\x45\x00\x00\x14", 4);
    g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_DL, .qfi = 9};
    g5_gtpu_encap_params e = {
        .msg_type = G5_GTPU_GPDU, .teid = 0x01020304, .with_seq = true, .psc = &psc};
    g5_gtpu_tpl t;
    assert_int_equal(g5_gtpu_tpl_init(&t, &e), 0);
    assert_int_equal(t.len, 16);
    uint8_t *pkt = g5_gtpu_tpl_push(&t, payload, 4, G5_GTPU_HEADROOM, 0xbeef);
    assert_ptr_equal(pkt, payload - 16);
    uint8_t want[20];
    unhex("36ff000c 01020304 beef0085 01000900 45000014", want, sizeof want);
    assert_memory_equal(pkt, want, sizeof want);
    g5_gtpu_hdr h;
    assert_int_equal(g5_gtpu_parse(pkt, 20, &h), 0);
    assert_ptr_equal(h.payload, payload);
    assert_int_equal(h.psc.qfi, 9);
    assert_int_equal(h.seq, 0xbeef);

    /* without a container or sequence number: the bare 8-octet header */
    e = (g5_gtpu_encap_params){.msg_type = G5_GTPU_GPDU, .teid = 7};
    assert_int_equal(g5_gtpu_encap(payload, 4, G5_GTPU_HEADROOM, &e, 0), 8);
    unhex("30ff0004 00000007 45000014", want, sizeof want);
    assert_memory_equal(payload - 8, want, 12);

    /* not enough headroom, payload too big for the Length field, bad QFI */
    assert_null(g5_gtpu_tpl_push(&t, payload, 4, 15, 0));
    assert_null(g5_gtpu_tpl_push(&t, payload, 65535 - 7, G5_GTPU_HEADROOM, 0));
    assert_non_null(g5_gtpu_tpl_push(&t, payload, 65535 - 8, G5_GTPU_HEADROOM, 0));
    assert_int_equal(g5_gtpu_encap(payload, 4, 4, &e, 0), G5_ERR_TOO_LONG);
    psc.qfi = 64;
    e.psc = &psc;
    assert_int_equal(g5_gtpu_tpl_init(&t, &e), G5_ERR_INVALID);
}

/* N9 relay as in docs/gtpu.md: the received header becomes headroom for the new one. */
static void test_reencap_in_place_over_old_header(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t n = unhex(valid[5], buf + 16, sizeof buf - 16); /* UDP Port + PSC, 16 octets */
    memcpy(buf + 16 + n, "\x45\x00\x00\x00", 4);
    buf[16 + 3] += 4; /* Length covers the T-PDU */
    n += 4;
    g5_gtpu_hdr h;
    assert_int_equal(g5_gtpu_parse(buf + 16, n, &h), 0);
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = 0xcafe};
    g5_gtpu_tpl t;
    assert_int_equal(g5_gtpu_tpl_init(&t, &e), 0);
    uint8_t *payload = buf + 16 + h.hdr_len;
    uint8_t *pkt = g5_gtpu_tpl_push(&t, payload, h.payload_len, 16 + h.hdr_len, 0);
    assert_ptr_equal(pkt, payload - 8);
    g5_gtpu_hdr h2;
    assert_int_equal(g5_gtpu_parse(pkt, 8 + h.payload_len, &h2), 0);
    assert_int_equal(h2.teid, 0xcafe);
    assert_int_equal(h2.payload_len, 4);
    assert_int_equal(h2.payload[0], 0x45);
}

static void test_encap_largest_psc_fits_headroom(void **state)
{
    (void)state;
    g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_UL,
                       .qfi = 63,
                       .qmp = true,
                       .dl_delay_ind = true,
                       .ul_delay_ind = true,
                       .snp = true,
                       .n3n9_delay_ind = true,
                       .new_ie_flag = true};
    g5_gtpu_encap_params e = {.msg_type = G5_GTPU_GPDU, .teid = 1, .with_seq = true, .psc = &psc};
    g5_gtpu_tpl t;
    assert_int_equal(g5_gtpu_tpl_init(&t, &e), 0);
    assert_true(t.len <= G5_GTPU_HEADROOM);
    assert_int_equal(t.len, 12 + 44);
    g5_gtpu_psc dl = {.pdu_type = G5_GTPU_PSC_DL,
                      .qfi = 1,
                      .ppp = true,
                      .ppi = 7,
                      .qmp = true,
                      .snp = true,
                      .msnp = true};
    e.psc = &dl;
    assert_int_equal(g5_gtpu_tpl_init(&t, &e), 0);
    assert_int_equal(t.len, 12 + 20);
}

static void test_build_messages_exact_bytes(void **state)
{
    (void)state;
    static const uint8_t v4[4] = {192, 0, 2, 1};
    uint8_t v6[16];
    unhex("20010db8000000000000000000000001", v6, sizeof v6);
    static const uint8_t types[] = {0x40, 0x85};
    struct {
        int which;
        const char *want;
    } cases[] = {
        {0, valid[8]},  {1, valid[9]},  {2, valid[11]}, {3, valid[12]},
        {4, valid[13]}, {5, valid[14]}, {6, valid[15]},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 1024);
        g5_gtpu_psc psc = {.pdu_type = G5_GTPU_PSC_DL, .qfi = 3};
        int rc = -1;
        switch (cases[i].which) {
        case 0: rc = g5_gtpu_build_echo_request(&w, 1); break;
        case 1: rc = g5_gtpu_build_echo_response(&w, 1); break;
        case 2: rc = g5_gtpu_build_error_indication(&w, 5, 0x01020304, v4, 4, 0); break;
        case 3: rc = g5_gtpu_build_error_indication(&w, 6, 0x01020304, v6, 16, 2152); break;
        case 4: rc = g5_gtpu_build_supported_ext_hdr_notification(&w, 7, types, 2); break;
        case 5: rc = g5_gtpu_build_end_marker(&w, 0x10, NULL); break;
        case 6: rc = g5_gtpu_build_end_marker(&w, 0x10, &psc); break;
        }
        assert_int_equal(rc, 0);
        uint8_t want[128];
        size_t n = unhex(cases[i].want, want, sizeof want);
        assert_int_equal(w.len, n);
        assert_memory_equal(w.p, want, n);
        g5_wbuf_free(&w);
    }
}

static int parse_msg(const char *hex, g5_gtpu_ies *ies)
{
    uint8_t p[256];
    size_t n = unhex(hex, p, sizeof p);
    g5_gtpu_hdr h;
    int rc = g5_gtpu_parse(p, n, &h);
    return rc < 0 ? rc : g5_gtpu_msg_parse(&h, ies);
}

static void test_message_ies(void **state)
{
    (void)state;
    g5_gtpu_ies ies;
    assert_int_equal(parse_msg(valid[11], &ies), 0);
    assert_int_equal(ies.teid_data_i, 0x01020304);
    assert_int_equal(ies.peer_addr_len, 4);
    assert_int_equal(ies.peer_addr[0], 192);
    assert_int_equal(parse_msg(valid[12], &ies), 0);
    assert_int_equal(ies.peer_addr_len, 16);
    assert_int_equal(parse_msg(valid[13], &ies), 0);
    assert_int_equal(ies.n_ext_types, 2);
    assert_int_equal(ies.ext_types[1], 0x85);
    assert_int_equal(parse_msg(valid[10], &ies), 0);
    assert_int_equal(ies.n_private, 1);
    assert_int_equal(ies.private_ext[0].enterprise_id, 10415);
    assert_int_equal(ies.private_ext[0].len, 2);
    assert_int_equal(parse_msg(valid[15], &ies), 0); /* End Marker, no S flag needed */

    /* Echo Response without Recovery */
    assert_int_equal(parse_msg("32020004 00000000 00010000", &ies), G5_ERR_MISSING);
    /* Error Indication without the peer address */
    assert_int_equal(parse_msg("321a0009 00000000 00050000 1001020304", &ies), G5_ERR_MISSING);
    /* Echo Request without the S flag (§5.1) */
    assert_int_equal(parse_msg("30010000 00000000", &ies), G5_ERR_INVALID);
    /* IEs out of order: Peer Address before TEID Data I (TS 29.060 §11.1.10) */
    assert_int_equal(parse_msg("321a0010 00000000 00050000 850004c0000201 1001020304", &ies),
                     G5_ERR_INVALID);
    /* peer address of 5 octets */
    assert_int_equal(parse_msg("321a0011 00000000 00050000 1001020304 850005c000020101", &ies),
                     G5_ERR_INVALID);
    /* unknown TV type 50: the rest cannot be read */
    assert_int_equal(parse_msg("32020008 00000000 00010000 0e00 3200", &ies), G5_ERR_UNSUPPORTED);
    /* unknown TLV (200) skipped, known unexpected TV (TEID Data I in an Echo) skipped,
     * repeated Recovery: first one counts */
    assert_int_equal(parse_msg("32020011 00000000 00010000 0e07 0e09 1001020304 c80001aa", &ies),
                     0);
    assert_int_equal(ies.recovery, 7);
    /* TLV length runs past the message */
    assert_int_equal(parse_msg("32020009 00000000 00010000 0e00 ff0009", &ies), G5_ERR_TRUNCATED);
    /* G-PDU is not a signalling message */
    assert_int_equal(parse_msg(valid[0], &ies), G5_ERR_UNSUPPORTED);
}

static void test_json_round_trip_is_byte_exact(void **state)
{
    (void)state;
    const char *extra[] = {
        /* PSC with spare bits set and non-zero padding: kept as raw content */
        "34ff0008 00000001 00000085 01010900",
        "34ff000c 00000001 00000085 02000900 aa000000",
        /* optional octets present but unused, spare bit set */
        "3aff0008 00000001 12346785 aabbccdd",
        /* unknown message type with a body */
        "30640003 00000000 010203",
        /* Long PDCP PDU number with spare bits, Service Class Indicator */
        "34ff0010 00000001 00000082 02 c3ffff 000000 20 01 7f 00 00",
        /* NR RAN container (opaque), DL PSC with all fields */
        "34ff001c 00000001 00000084 01 abcd 85 05 0e c9 a0 0102030405060708 0a0b0c 01020304 00",
    };
    size_t total = sizeof valid / sizeof valid[0] + sizeof extra / sizeof extra[0];
    for (size_t i = 0; i < total; i++) {
        const char *hex = i < sizeof valid / sizeof valid[0]
                              ? valid[i]
                              : extra[i - sizeof valid / sizeof valid[0]];
        uint8_t p[256];
        size_t n = unhex(hex, p, sizeof p);
        json_t *j = NULL;
        char err[256] = "";
        int rc = g5_gtpu_decode_json(p, n, &j, err, sizeof err);
        if (rc < 0)
            fail_msg("vector %zu: %s", i, err);
        char *text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        json_t *back = json_loads(text, 0, NULL);
        free(text);
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 65536);
        rc = g5_gtpu_encode_json(back, &w, err, sizeof err);
        if (rc < 0)
            fail_msg("vector %zu: %s", i, err);
        assert_int_equal(w.len, n);
        assert_memory_equal(w.p, p, n);
        g5_wbuf_free(&w);
        json_decref(back);
    }
}

static void test_json_fields_and_errors(void **state)
{
    (void)state;
    uint8_t p[128];
    size_t n = unhex(valid[2], p, sizeof p);
    json_t *j = NULL;
    char err[256] = "";
    assert_int_equal(g5_gtpu_decode_json(p, n, &j, err, sizeof err), 0);
    json_t *psc = json_object_get(json_array_get(json_object_get(j, "extension_headers"), 0),
                                  "pdu_session_container");
    assert_int_equal(json_integer_value(json_object_get(psc, "qfi")), 9);
    assert_int_equal(json_integer_value(json_object_get(psc, "ppi")), 5);
    assert_true(json_is_true(json_object_get(psc, "rqi")));
    assert_string_equal(json_string_value(json_object_get(j, "payload")), "45000000");
    json_decref(j);

    n = unhex("34ff0008 00000001 00000085 00000000", p, sizeof p);
    assert_int_equal(g5_gtpu_decode_json(p, n, &j, err, sizeof err), G5_ERR_INVALID);
    assert_null(j);
    assert_non_null(strstr(err, "offset 12: length 0"));
    n = unhex("34ff000c 00abcdef 00000099 01000000 45000000", p, sizeof p);
    assert_int_equal(g5_gtpu_decode_json(p, n, &j, err, sizeof err), G5_ERR_UNSUPPORTED);
    assert_non_null(strstr(err, "0x99 at offset 12"));

    const char *bad[] = {
        "[]",
        "{\"teid\": 1}",
        "{\"message_type\": 255, \"teid\": -1}",
        "{\"message_type\": 255, \"teid\": 1, \"payload\": \"xyz\"}",
        "{\"message_type\": 255, \"teid\": 1, \"extension_headers\": [{\"type\": 133, "
        "\"pdu_session_container\": {\"pdu_type\": 0, \"qfi\": 64}}]}",
        "{\"message_type\": 255, \"teid\": 1, \"extension_headers\": [{\"type\": 129}]}",
        "{\"message_type\": 255, \"teid\": 1, \"extension_headers\": [{\"type\": 129, "
        "\"content\": \"00\"}]}",
        "{\"message_type\": 26, \"teid\": 0, \"seq\": 1, \"ies\": [{\"type\": 133, "
        "\"address\": \"not-an-ip\"}]}",
        "{\"message_type\": 1, \"teid\": 0, \"seq\": 1, \"ies\": {}}",
        "{\"message_type\": 2, \"teid\": 0, \"seq\": 1, \"ies\": [{\"type\": 14}]}",
        "{\"message_type\": 31, \"teid\": 0, \"seq\": 1, \"ies\": [{\"type\": 141, "
        "\"types\": [300]}]}",
        "{\"message_type\": 255, \"teid\": 1, \"unused_seq\": 5}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *in = json_loads(bad[i], 0, NULL);
        assert_non_null(in);
        g5_wbuf w;
        g5_wbuf_init_dyn(&w, 65536);
        err[0] = 0;
        if (g5_gtpu_encode_json(in, &w, err, sizeof err) >= 0)
            fail_msg("bad JSON %zu accepted", i);
        assert_true(err[0] != 0);
        g5_wbuf_free(&w);
        json_decref(in);
    }
}

static void test_parse_burst(void **state)
{
    (void)state;
    uint8_t a[64], b[64], c[64];
    size_t la = unhex(valid[0], a, sizeof a);
    size_t lb = unhex("30ff0005 00000001 deadbeef", b, sizeof b);
    size_t lc = unhex(valid[3], c, sizeof c);
    const uint8_t *pkts[] = {a, b, c};
    const size_t lens[] = {la, lb, lc};
    g5_gtpu_hdr hdrs[3];
    int rcs[3];
    assert_int_equal(g5_gtpu_parse_burst(pkts, lens, 3, hdrs, rcs), 2);
    assert_int_equal(rcs[0], 0);
    assert_int_equal(rcs[1], G5_ERR_TRUNCATED);
    assert_int_equal(rcs[2], 0);
    assert_int_equal(hdrs[2].psc.qfi, 1);
}

/* Deterministic random mutations of the valid vectors (flip, insert, delete, retype,
 * resize the Length): the parser must stay within the datagram and everything the JSON
 * decoder accepts must re-encode byte for byte. A cheap, always-on cousin of the fuzzer. */
static void test_random_mutations_keep_invariants(void **state)
{
    (void)state;
    uint32_t rng = 0x9e3779b9u;
    size_t accepted = 0;
    for (int round = 0; round < 20000; round++) {
        uint8_t p[300];
        const char *hex = valid[(size_t)round % (sizeof valid / sizeof valid[0])];
        size_t n = unhex(hex, p, sizeof p);
        for (int k = 0; k < 1 + round % 4; k++) {
            rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
            size_t at = rng % n;
            switch ((rng >> 8) % 5) {
            case 0: p[at] ^= (uint8_t)(1u << ((rng >> 16) % 8)); break;
            case 1: p[at] = (uint8_t)(rng >> 16); break;
            case 2: n = at > 8 ? at : n; break; /* truncate */
            case 3:
                if (n < sizeof p - 4) { /* insert 4 octets */
                    memmove(p + at + 4, p + at, n - at);
                    memcpy(p + at, &rng, 4);
                    n += 4;
                }
                break;
            default: /* make the Length field agree with the new size */
                if (n >= 8) {
                    p[2] = (uint8_t)((n - 8) >> 8);
                    p[3] = (uint8_t)(n - 8);
                }
                break;
            }
        }
        uint8_t *q = malloc(n);
        memcpy(q, p, n);
        g5_gtpu_hdr h;
        if (g5_gtpu_parse(q, n, &h) == 0) {
            assert_int_equal((size_t)h.hdr_len + h.payload_len, n);
            assert_ptr_equal(h.payload, q + h.hdr_len);
        }
        json_t *j = NULL;
        char err[256];
        if (g5_gtpu_decode_json(q, n, &j, err, sizeof err) == 0) {
            g5_wbuf w;
            g5_wbuf_init_dyn(&w, 65536);
            assert_int_equal(g5_gtpu_encode_json(j, &w, err, sizeof err), 0);
            assert_int_equal(w.len, n);
            assert_memory_equal(w.p, q, n);
            g5_wbuf_free(&w);
            json_decref(j);
            accepted++;
        }
        free(q);
    }
    assert_true(accepted > 1000); /* the mutations are not all trivially rejected */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_minimal_gpdu_is_zero_copy),
        cmocka_unit_test(test_parse_seq_and_psc),
        cmocka_unit_test(test_parse_chain_of_known_and_unknown_headers),
        cmocka_unit_test(test_truncation_at_every_offset),
        cmocka_unit_test(test_consistent_truncation_inside_header),
        cmocka_unit_test(test_zero_length_extension_header_is_rejected),
        cmocka_unit_test(test_bogus_length_fields),
        cmocka_unit_test(test_chain_length_is_bounded),
        cmocka_unit_test(test_unknown_comprehension_required_header),
        cmocka_unit_test(test_malformed_known_headers),
        cmocka_unit_test(test_encap_in_place_with_psc),
        cmocka_unit_test(test_reencap_in_place_over_old_header),
        cmocka_unit_test(test_encap_largest_psc_fits_headroom),
        cmocka_unit_test(test_build_messages_exact_bytes),
        cmocka_unit_test(test_message_ies),
        cmocka_unit_test(test_json_round_trip_is_byte_exact),
        cmocka_unit_test(test_json_fields_and_errors),
        cmocka_unit_test(test_parse_burst),
        cmocka_unit_test(test_random_mutations_keep_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
