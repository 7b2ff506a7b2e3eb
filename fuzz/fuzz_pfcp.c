/* libFuzzer target: the PFCP codec. Every input goes through the decoder; a message that
 * decodes is also run through the typed views and the JSON face, and decode->encode must
 * give back exactly the input bytes (abort otherwise: that is a codec bug). A message that
 * fails with a cause gets the rejection response built and decoded again. Seeds in
 * fuzz/corpus/pfcp/ are the messages our builders produce (test_pfcp_codec --write-seeds). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_json.h"
#include "pfcp/pfcp.h"
#include "pfcp/pfcp_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void views(const g5_pfcp_msg *m)
{
    static union {
        g5_pfcp_sess_est_req est;
        g5_pfcp_sess_mod_req mod;
        g5_pfcp_sess_rsp rsp;
        g5_pfcp_sess_report_req rep;
        g5_pfcp_assoc assoc;
    } u;
    switch (m->h.type) {
    case G5_PFCP_SESSION_EST_REQ: (void)g5_pfcp_sess_est_req_parse(m, &u.est); break;
    case G5_PFCP_SESSION_MOD_REQ: (void)g5_pfcp_sess_mod_req_parse(m, &u.mod); break;
    case G5_PFCP_SESSION_REPORT_REQ: (void)g5_pfcp_sess_report_req_parse(m, &u.rep); break;
    case G5_PFCP_ASSOC_SETUP_REQ:
    case G5_PFCP_ASSOC_SETUP_RSP:
    case G5_PFCP_ASSOC_UPDATE_REQ:
    case G5_PFCP_ASSOC_UPDATE_RSP: (void)g5_pfcp_assoc_parse(m, &u.assoc); break;
    default: (void)g5_pfcp_sess_rsp_parse(m, &u.rsp); break;
    }
}

static void json_roundtrip(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    char err[256];
    if (g5_pfcp_decode_json(data, size, &j, err, sizeof err))
        abort(); /* g5_pfcp_decode accepted it, so must the JSON face */
    g5_wbuf w;
    g5_wbuf_init_dyn(&w, 1 << 20);
    if (g5_pfcp_encode_json(j, &w, err, sizeof err) || w.len != size || memcmp(w.p, data, size))
        abort();
    g5_wbuf_free(&w);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static g5_pfcp_msg m;
    g5_pfcp_error e;
    int rc = g5_pfcp_decode(data, size, &m, &e);
    if (rc == 0) {
        views(&m);
        static uint8_t again[70000];
        g5_wbuf w;
        g5_wbuf_init(&w, again, sizeof again);
        if (g5_pfcp_reencode(&w, &m) || w.len != m.msg_len || memcmp(again, data, w.len) != 0)
            abort(); /* the tree must hold every byte of the message */
        if (!m.h.fo) /* with FO=1 the JSON face covers only the first message */
            json_roundtrip(data, size);
        return 0;
    }
    if (e.cause && g5_pfcp_msg_is_request(m.h.type)) {
        uint8_t out[256];
        g5_wbuf w;
        g5_wbuf_init(&w, out, sizeof out);
        g5_pfcp_node_id node = {.type = G5_PFCP_NODE_IPV4, .ipv4 = {10, 0, 0, 2}};
        if (g5_pfcp_build_reject(&w, &m.h, m.h.seid, &node, &e) == 0 &&
            g5_pfcp_decode(out, w.len, &m, NULL) != 0)
            abort(); /* our own rejection must decode */
    }
    return 0;
}
