/* PFCP session messages as structs (parse and build), the usual uplink+downlink rule set
 * of a PDU session, and builders for the node messages an SMF/UPF sends first
 * (TS 29.244 §7.4.2, §7.4.4, §7.5.2 - §7.5.9). */
#include <string.h>

#include "core/err.h"
#include "pfcp/pfcp_rules.h"

/* ---- parsing session messages ---- */

typedef int (*view_fn)(const g5_pfcp_msg *, const g5_pfcp_ie *, void *);

/* Adapters so every view parser has the view_fn signature (no function pointer casts). */
#define VIEW(name, T) \
    static int name##_v(const g5_pfcp_msg *m, const g5_pfcp_ie *ie, void *out) \
    { \
        return name(m, ie, (T *)out); \
    }
VIEW(g5_pfcp_pdr_parse, g5_pfcp_pdr)
VIEW(g5_pfcp_far_parse, g5_pfcp_far)
VIEW(g5_pfcp_qer_parse, g5_pfcp_qer)
VIEW(g5_pfcp_urr_parse, g5_pfcp_urr)
VIEW(g5_pfcp_usage_report_parse, g5_pfcp_usage_report)

/* Parses every IE of type under parent into arr[*n] (elements of size sz). */
static int parse_list(const g5_pfcp_msg *m, const g5_pfcp_ie *parent, uint16_t type, view_fn fn,
                      void *arr, size_t sz, uint8_t *n, unsigned max)
{
    G5_PFCP_FOREACH(m, parent, type, ie)
    {
        if (*n >= max)
            return G5_ERR_LIMIT;
        int rc = fn(m, ie, (uint8_t *)arr + sz * *n);
        if (rc)
            return rc;
        (*n)++;
    }
    return 0;
}

static int parse_rules(const g5_pfcp_msg *m, g5_pfcp_rules *r, uint16_t pdr_t, uint16_t far_t,
                       uint16_t qer_t, uint16_t urr_t)
{
    int rc = parse_list(m, NULL, pdr_t, g5_pfcp_pdr_parse_v, r->pdr, sizeof r->pdr[0], &r->n_pdr,
                        G5_PFCP_MAX_RULES);
    if (!rc)
        rc = parse_list(m, NULL, far_t, g5_pfcp_far_parse_v, r->far, sizeof r->far[0], &r->n_far,
                        G5_PFCP_MAX_RULES);
    if (!rc)
        rc = parse_list(m, NULL, qer_t, g5_pfcp_qer_parse_v, r->qer, sizeof r->qer[0], &r->n_qer,
                        G5_PFCP_MAX_RULES);
    if (!rc)
        rc = parse_list(m, NULL, urr_t, g5_pfcp_urr_parse_v, r->urr, sizeof r->urr[0], &r->n_urr,
                        G5_PFCP_MAX_RULES);
    return rc;
}

int g5_pfcp_assoc_parse(const g5_pfcp_msg *m, g5_pfcp_assoc *v)
{
    const g5_pfcp_ie *ie;
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_node_id(m, &v->node_id))
        return G5_ERR_MISSING;
    v->has_cause = g5_pfcp_get_cause(m, &v->cause) == 0;
    v->has_recovery_ts =
        g5_pfcp_get_u32(m, NULL, G5_PFCP_IE_RECOVERY_TIME_STAMP, &v->recovery_ts) == 0;
    if ((ie = g5_pfcp_child(m, NULL, G5_PFCP_IE_UP_FUNCTION_FEATURES)) && ie->len) {
        v->has_up_features = true;
        v->up_features = g5_pfcp_flags_parse(ie->val, ie->len);
    }
    if ((ie = g5_pfcp_child(m, NULL, G5_PFCP_IE_CP_FUNCTION_FEATURES)) && ie->len) {
        v->has_cp_features = true;
        v->cp_features = g5_pfcp_flags_parse(ie->val, ie->len);
    }
    return 0;
}

int g5_pfcp_sess_est_req_parse(const g5_pfcp_msg *m, g5_pfcp_sess_est_req *v)
{
    const g5_pfcp_ie *ie;
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_node_id(m, &v->node_id) || g5_pfcp_get_fseid(m, NULL, &v->cp_fseid))
        return G5_ERR_MISSING;
    v->has_pdn_type = g5_pfcp_get_u8(m, NULL, G5_PFCP_IE_PDN_TYPE, &v->pdn_type) == 0;
    v->pdn_type &= 7;
    v->has_inactivity_timer =
        g5_pfcp_get_u32(m, NULL, G5_PFCP_IE_USER_PLANE_INACTIVITY_TIMER, &v->inactivity_timer) == 0;
    if ((ie = g5_pfcp_child(m, NULL, G5_PFCP_IE_APN_DNN))) {
        if (ie->len <= G5_PFCP_MAX_NI) {
            v->dnn.len = (uint8_t)ie->len;
            memcpy(v->dnn.v, ie->val, ie->len);
        }
    }
    return parse_rules(m, &v->create, G5_PFCP_IE_CREATE_PDR, G5_PFCP_IE_CREATE_FAR,
                       G5_PFCP_IE_CREATE_QER, G5_PFCP_IE_CREATE_URR);
}

static int parse_ids(const g5_pfcp_msg *m, uint16_t group, uint16_t id_type, uint32_t *ids,
                     uint8_t *n)
{
    G5_PFCP_FOREACH(m, NULL, group, ie)
    {
        if (*n >= G5_PFCP_MAX_RULES)
            return G5_ERR_LIMIT;
        if (id_type == G5_PFCP_IE_PDR_ID) {
            uint16_t id16 = 0;
            if (g5_pfcp_get_u16(m, ie, id_type, &id16))
                return G5_ERR_MISSING;
            ids[(*n)++] = id16;
        } else if (g5_pfcp_get_u32(m, ie, id_type, &ids[(*n)++])) {
            return G5_ERR_MISSING;
        }
    }
    return 0;
}

int g5_pfcp_sess_mod_req_parse(const g5_pfcp_msg *m, g5_pfcp_sess_mod_req *v)
{
    uint32_t pdr_ids[G5_PFCP_MAX_RULES] = {0};
    memset(v, 0, sizeof *v);
    v->has_cp_fseid = g5_pfcp_get_fseid(m, NULL, &v->cp_fseid) == 0;
    v->has_flags = g5_pfcp_get_u8(m, NULL, G5_PFCP_IE_PFCPSMREQ_FLAGS, &v->flags) == 0;
    int rc = parse_rules(m, &v->create, G5_PFCP_IE_CREATE_PDR, G5_PFCP_IE_CREATE_FAR,
                         G5_PFCP_IE_CREATE_QER, G5_PFCP_IE_CREATE_URR);
    if (!rc)
        rc = parse_rules(m, &v->update, G5_PFCP_IE_UPDATE_PDR, G5_PFCP_IE_UPDATE_FAR,
                         G5_PFCP_IE_UPDATE_QER, G5_PFCP_IE_UPDATE_URR);
    if (!rc)
        rc = parse_ids(m, G5_PFCP_IE_REMOVE_PDR, G5_PFCP_IE_PDR_ID, pdr_ids, &v->n_remove_pdr);
    for (unsigned i = 0; !rc && i < v->n_remove_pdr; i++)
        v->remove_pdr[i] = (uint16_t)pdr_ids[i];
    if (!rc)
        rc =
            parse_ids(m, G5_PFCP_IE_REMOVE_FAR, G5_PFCP_IE_FAR_ID, v->remove_far, &v->n_remove_far);
    if (!rc)
        rc =
            parse_ids(m, G5_PFCP_IE_REMOVE_QER, G5_PFCP_IE_QER_ID, v->remove_qer, &v->n_remove_qer);
    if (!rc)
        rc =
            parse_ids(m, G5_PFCP_IE_REMOVE_URR, G5_PFCP_IE_URR_ID, v->remove_urr, &v->n_remove_urr);
    if (!rc)
        rc = parse_ids(m, G5_PFCP_IE_QUERY_URR, G5_PFCP_IE_URR_ID, v->query_urr, &v->n_query_urr);
    return rc;
}

static int created_pdr_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *ie, void *out)
{
    g5_pfcp_created_pdr *c = out;
    const g5_pfcp_ie *x;
    memset(c, 0, sizeof *c);
    if (g5_pfcp_get_u16(m, ie, G5_PFCP_IE_PDR_ID, &c->pdr_id))
        return G5_ERR_MISSING;
    if ((x = g5_pfcp_child(m, ie, G5_PFCP_IE_F_TEID)))
        c->has_fteid = g5_pfcp_fteid_parse(x->val, x->len, &c->fteid) == 0;
    if ((x = g5_pfcp_child(m, ie, G5_PFCP_IE_UE_IP_ADDRESS)))
        c->has_ue_ip = g5_pfcp_ue_ip_parse(x->val, x->len, &c->ue_ip) == 0;
    return 0;
}

static uint16_t usage_report_type(uint8_t msg_type)
{
    switch (msg_type) {
    case G5_PFCP_SESSION_MOD_RSP: return G5_PFCP_IE_USAGE_REPORT_SMR;
    case G5_PFCP_SESSION_DEL_RSP: return G5_PFCP_IE_USAGE_REPORT_SDR;
    default: return G5_PFCP_IE_USAGE_REPORT_SRR;
    }
}

int g5_pfcp_sess_rsp_parse(const g5_pfcp_msg *m, g5_pfcp_sess_rsp *v)
{
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_cause(m, &v->cause))
        return G5_ERR_MISSING;
    (void)g5_pfcp_get_node_id(m, &v->node_id);
    (void)g5_pfcp_get_u16(m, NULL, G5_PFCP_IE_OFFENDING_IE, &v->offending_ie);
    v->has_up_fseid = g5_pfcp_get_fseid(m, NULL, &v->up_fseid) == 0;
    int rc = parse_list(m, NULL, G5_PFCP_IE_CREATED_PDR, created_pdr_parse, v->created,
                        sizeof v->created[0], &v->n_created, G5_PFCP_MAX_RULES);
    if (!rc)
        rc = parse_list(m, NULL, usage_report_type(m->h.type), g5_pfcp_usage_report_parse_v,
                        v->report, sizeof v->report[0], &v->n_reports, G5_PFCP_MAX_REPORTS);
    return rc;
}

int g5_pfcp_sess_report_req_parse(const g5_pfcp_msg *m, g5_pfcp_sess_report_req *v)
{
    const g5_pfcp_ie *ddr;
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_u8(m, NULL, G5_PFCP_IE_REPORT_TYPE, &v->report_type))
        return G5_ERR_MISSING;
    if ((ddr = g5_pfcp_child(m, NULL, G5_PFCP_IE_DOWNLINK_DATA_REPORT))) {
        G5_PFCP_FOREACH(m, ddr, G5_PFCP_IE_PDR_ID, p)
        {
            if (v->n_dl_pdr >= G5_PFCP_MAX_RULES)
                return G5_ERR_LIMIT;
            if (p->len >= 2)
                v->dl_pdr_id[v->n_dl_pdr++] = (uint16_t)(p->val[0] << 8 | p->val[1]);
        }
    }
    return parse_list(m, NULL, G5_PFCP_IE_USAGE_REPORT_SRR, g5_pfcp_usage_report_parse_v, v->report,
                      sizeof v->report[0], &v->n_reports, G5_PFCP_MAX_REPORTS);
}

/* ---- the usual PDU session ---- */

static g5_pfcp_ni ni(const char *dotted)
{
    g5_pfcp_ni r;
    r.len = 0;
    if (dotted && g5_pfcp_ni_from_dotted(&r, dotted))
        r.len = 0;
    return r;
}

static void add_refs(g5_pfcp_pdr *p, const g5_pfcp_pdu_session *s)
{
    p->n_qer = 1;
    p->qer_id[0] = G5_PFCP_SESS_QER;
    if (s->with_urr) {
        p->n_urr = 1;
        p->urr_id[0] = G5_PFCP_SESS_URR;
    }
}

static void ul_rules(g5_pfcp_rules *r, const g5_pfcp_pdu_session *s)
{
    g5_pfcp_pdr *ul = &r->pdr[r->n_pdr++];
    ul->pdr_id = G5_PFCP_UL_PDR;
    ul->has_precedence = true;
    ul->precedence = 255;
    ul->has_pdi = true;
    ul->pdi.src_if = G5_PFCP_IF_ACCESS;
    ul->pdi.has_fteid = true;
    /* §8.2.3: V4/V6 say the address families (with CH: the ones the UPF shall allocate) */
    ul->pdi.fteid.v4 = !s->n3_no_v4;
    ul->pdi.fteid.v6 = s->n3_v6;
    if (s->ul_teid_choose) {
        ul->pdi.fteid.ch = ul->pdi.fteid.chid = true;
        ul->pdi.fteid.choose_id = 1;
    } else {
        ul->pdi.fteid.teid = s->ul_teid;
        memcpy(ul->pdi.fteid.ipv4, s->n3_ipv4, 4);
        memcpy(ul->pdi.fteid.ipv6, s->n3_ipv6, 16);
    }
    ul->pdi.network_instance = ni(s->access_ni);
    ul->pdi.has_ue_ip = true;
    ul->pdi.ue_ip.v4 = true; /* S/D = 0: source address in the uplink */
    memcpy(ul->pdi.ue_ip.ipv4, s->ue_ipv4, 4);
    if (s->qfi) {
        ul->pdi.has_qfi = true;
        ul->pdi.qfi = s->qfi;
    }
    ul->has_ohr = true;
    /* §8.2.64: remove the outer GTP-U/UDP/IP header of the N3 families in use */
    ul->ohr.desc = !s->n3_v6     ? G5_PFCP_OHR_GTPU_UDP_IPV4
                   : s->n3_no_v4 ? G5_PFCP_OHR_GTPU_UDP_IPV6
                                 : G5_PFCP_OHR_GTPU_UDP_IP;
    ul->has_far_id = true;
    ul->far_id = G5_PFCP_UL_FAR;
    add_refs(ul, s);

    g5_pfcp_far *f = &r->far[r->n_far++];
    f->far_id = G5_PFCP_UL_FAR;
    f->has_apply_action = true;
    f->apply_action = G5_PFCP_AA_FORW;
    f->has_fwd = true;
    f->fwd.has_dst_if = true;
    f->fwd.dst_if = G5_PFCP_IF_CORE;
    f->fwd.network_instance = ni(s->core_ni);
}

static void dl_rules(g5_pfcp_rules *r, const g5_pfcp_pdu_session *s)
{
    g5_pfcp_pdr *dl = &r->pdr[r->n_pdr++];
    dl->pdr_id = G5_PFCP_DL_PDR;
    dl->has_precedence = true;
    dl->precedence = 255;
    dl->has_pdi = true;
    dl->pdi.src_if = G5_PFCP_IF_CORE;
    dl->pdi.network_instance = ni(s->core_ni);
    dl->pdi.has_ue_ip = true;
    dl->pdi.ue_ip.v4 = dl->pdi.ue_ip.sd = true; /* destination address in the downlink */
    memcpy(dl->pdi.ue_ip.ipv4, s->ue_ipv4, 4);
    dl->has_far_id = true;
    dl->far_id = G5_PFCP_DL_FAR;
    add_refs(dl, s);

    g5_pfcp_far *f = &r->far[r->n_far++];
    f->far_id = G5_PFCP_DL_FAR;
    f->has_apply_action = true;
    if (!s->has_gnb) { /* no N3 tunnel yet: buffer and notify the CP (§5.2.3.1) */
        f->apply_action = G5_PFCP_AA_BUFF | G5_PFCP_AA_NOCP;
        return;
    }
    f->apply_action = G5_PFCP_AA_FORW;
    f->has_fwd = true;
    f->fwd.has_dst_if = true;
    f->fwd.dst_if = G5_PFCP_IF_ACCESS;
    f->fwd.network_instance = ni(s->access_ni);
    f->fwd.has_ohc = true;
    f->fwd.ohc.teid = s->gnb_teid;
    if (s->gnb_v6) {
        f->fwd.ohc.desc = G5_PFCP_OHC_GTPU_UDP_IPV6;
        memcpy(f->fwd.ohc.ipv6, s->gnb_ipv6, 16);
    } else {
        f->fwd.ohc.desc = G5_PFCP_OHC_GTPU_UDP_IPV4;
        memcpy(f->fwd.ohc.ipv4, s->gnb_ipv4, 4);
    }
}

void g5_pfcp_pdu_session_rules(g5_pfcp_rules *r, const g5_pfcp_pdu_session *s)
{
    memset(r, 0, sizeof *r);
    ul_rules(r, s);
    dl_rules(r, s);
    g5_pfcp_qer *q = &r->qer[r->n_qer++];
    q->qer_id = G5_PFCP_SESS_QER;
    q->has_gate = true;
    q->gate_ul = q->gate_dl = G5_PFCP_GATE_OPEN;
    if (s->ambr.ul_kbps || s->ambr.dl_kbps) {
        q->has_mbr = true;
        q->mbr = s->ambr;
    }
    if (s->qfi) {
        q->has_qfi = true;
        q->qfi = s->qfi;
    }
    if (!s->with_urr)
        return;
    g5_pfcp_urr *u = &r->urr[r->n_urr++];
    u->urr_id = G5_PFCP_SESS_URR;
    u->has_method = true;
    u->method = G5_PFCP_MM_VOLUM | G5_PFCP_MM_DURAT;
    u->has_triggers = true;
    if (s->volume_threshold) {
        u->triggers |= G5_PFCP_RT_VOLTH;
        u->has_vol_thr = true;
        u->vol_thr.flags = G5_PFCP_VOL_TOVOL;
        u->vol_thr.total = s->volume_threshold;
    }
    if (s->time_threshold) {
        u->triggers |= G5_PFCP_RT_TIMTH;
        u->has_time_thr = true;
        u->time_thr = s->time_threshold;
    }
}

/* ---- builders ---- */

static int finish(g5_wbuf *w, size_t start)
{
    return g5_pfcp_msg_end(w, start);
}

static int build_recovery(g5_wbuf *w, uint8_t type, uint32_t seq, uint32_t ts)
{
    size_t s;
    g5_pfcp_msg_begin(w, type, 0, seq, &s);
    g5_pfcp_put_u32(w, G5_PFCP_IE_RECOVERY_TIME_STAMP, ts);
    return finish(w, s);
}

int g5_pfcp_build_heartbeat_req(g5_wbuf *w, uint32_t seq, uint32_t recovery_ts)
{
    return build_recovery(w, G5_PFCP_HEARTBEAT_REQ, seq, recovery_ts);
}

int g5_pfcp_build_heartbeat_rsp(g5_wbuf *w, uint32_t seq, uint32_t recovery_ts)
{
    return build_recovery(w, G5_PFCP_HEARTBEAT_RSP, seq, recovery_ts);
}

static void put_features(g5_wbuf *w, uint32_t up, uint32_t cp)
{
    if (up) /* UP function features is at least 2 octets in practice (FTUP .. EMPU) */
        g5_pfcp_put_flags(w, G5_PFCP_IE_UP_FUNCTION_FEATURES, up, 2);
    if (cp)
        g5_pfcp_put_flags(w, G5_PFCP_IE_CP_FUNCTION_FEATURES, cp, 1);
}

int g5_pfcp_build_assoc_setup_req(g5_wbuf *w, uint32_t seq, const g5_pfcp_node_id *node,
                                  uint32_t recovery_ts, uint32_t up_features, uint32_t cp_features)
{
    size_t s;
    g5_pfcp_msg_begin(w, G5_PFCP_ASSOC_SETUP_REQ, 0, seq, &s);
    g5_pfcp_put_node_id(w, node);
    g5_pfcp_put_u32(w, G5_PFCP_IE_RECOVERY_TIME_STAMP, recovery_ts);
    put_features(w, up_features, cp_features);
    return finish(w, s);
}

int g5_pfcp_build_assoc_setup_rsp(g5_wbuf *w, uint32_t seq, const g5_pfcp_node_id *node,
                                  uint8_t cause, uint32_t recovery_ts, uint32_t up_features,
                                  uint32_t cp_features)
{
    size_t s;
    g5_pfcp_msg_begin(w, G5_PFCP_ASSOC_SETUP_RSP, 0, seq, &s);
    g5_pfcp_put_node_id(w, node);
    g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, cause);
    g5_pfcp_put_u32(w, G5_PFCP_IE_RECOVERY_TIME_STAMP, recovery_ts);
    put_features(w, up_features, cp_features);
    return finish(w, s);
}

int g5_pfcp_build_assoc_release_req(g5_wbuf *w, uint32_t seq, const g5_pfcp_node_id *node)
{
    size_t s;
    g5_pfcp_msg_begin(w, G5_PFCP_ASSOC_RELEASE_REQ, 0, seq, &s);
    g5_pfcp_put_node_id(w, node);
    return finish(w, s);
}

static void put_rules(g5_wbuf *w, const g5_pfcp_rules *r, bool update)
{
    for (unsigned i = 0; i < r->n_pdr && i < G5_PFCP_MAX_RULES; i++)
        g5_pfcp_put_pdr(w, update ? G5_PFCP_IE_UPDATE_PDR : G5_PFCP_IE_CREATE_PDR, &r->pdr[i]);
    for (unsigned i = 0; i < r->n_far && i < G5_PFCP_MAX_RULES; i++)
        g5_pfcp_put_far(w, update ? G5_PFCP_IE_UPDATE_FAR : G5_PFCP_IE_CREATE_FAR, &r->far[i]);
    for (unsigned i = 0; i < r->n_urr && i < G5_PFCP_MAX_RULES; i++)
        g5_pfcp_put_urr(w, update ? G5_PFCP_IE_UPDATE_URR : G5_PFCP_IE_CREATE_URR, &r->urr[i]);
    for (unsigned i = 0; i < r->n_qer && i < G5_PFCP_MAX_RULES; i++)
        g5_pfcp_put_qer(w, update ? G5_PFCP_IE_UPDATE_QER : G5_PFCP_IE_CREATE_QER, &r->qer[i]);
}

int g5_pfcp_build_sess_est_req(g5_wbuf *w, uint64_t seid, uint32_t seq,
                               const g5_pfcp_sess_est_req *v)
{
    size_t s;
    if (!v->create.n_pdr || !v->create.n_far) /* both mandatory, Table 7.5.2.1-1 */
        return G5_ERR_MISSING;
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_EST_REQ, seid, seq, &s);
    g5_pfcp_put_node_id(w, &v->node_id);
    g5_pfcp_put_fseid(w, &v->cp_fseid);
    put_rules(w, &v->create, false);
    if (v->has_pdn_type)
        g5_pfcp_put_u8(w, G5_PFCP_IE_PDN_TYPE, v->pdn_type & 7);
    if (v->has_inactivity_timer)
        g5_pfcp_put_u32(w, G5_PFCP_IE_USER_PLANE_INACTIVITY_TIMER, v->inactivity_timer);
    if (v->dnn.len)
        g5_pfcp_put_ie(w, G5_PFCP_IE_APN_DNN, v->dnn.v, v->dnn.len);
    return finish(w, s);
}

static void put_rsp_common(g5_wbuf *w, const g5_pfcp_sess_rsp *v)
{
    g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, v->cause);
    if (v->offending_ie)
        g5_pfcp_put_u16(w, G5_PFCP_IE_OFFENDING_IE, v->offending_ie);
}

static void put_reports(g5_wbuf *w, uint16_t type, const g5_pfcp_usage_report *r, unsigned n)
{
    for (unsigned i = 0; i < n && i < G5_PFCP_MAX_REPORTS; i++)
        g5_pfcp_put_usage_report(w, type, &r[i]);
}

int g5_pfcp_build_sess_est_rsp(g5_wbuf *w, uint64_t seid, uint32_t seq, const g5_pfcp_sess_rsp *v)
{
    size_t s, at;
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_EST_RSP, seid, seq, &s);
    g5_pfcp_put_node_id(w, &v->node_id);
    put_rsp_common(w, v);
    if (v->has_up_fseid)
        g5_pfcp_put_fseid(w, &v->up_fseid);
    for (unsigned i = 0; i < v->n_created && i < G5_PFCP_MAX_RULES; i++) {
        const g5_pfcp_created_pdr *c = &v->created[i];
        g5_pfcp_group_begin(w, G5_PFCP_IE_CREATED_PDR, &at);
        g5_pfcp_put_u16(w, G5_PFCP_IE_PDR_ID, c->pdr_id);
        if (c->has_fteid)
            g5_pfcp_put_fteid(w, G5_PFCP_IE_F_TEID, &c->fteid);
        if (c->has_ue_ip)
            g5_pfcp_put_ue_ip(w, &c->ue_ip);
        g5_pfcp_group_end(w, at);
    }
    return finish(w, s);
}

int g5_pfcp_build_sess_mod_req(g5_wbuf *w, uint64_t seid, uint32_t seq,
                               const g5_pfcp_sess_mod_req *v)
{
    size_t s, at;
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_MOD_REQ, seid, seq, &s);
    if (v->has_cp_fseid)
        g5_pfcp_put_fseid(w, &v->cp_fseid);
    static const struct {
        uint16_t group, id;
    } rm[] = {{G5_PFCP_IE_REMOVE_PDR, G5_PFCP_IE_PDR_ID},
              {G5_PFCP_IE_REMOVE_FAR, G5_PFCP_IE_FAR_ID},
              {G5_PFCP_IE_REMOVE_URR, G5_PFCP_IE_URR_ID},
              {G5_PFCP_IE_REMOVE_QER, G5_PFCP_IE_QER_ID}};
    for (unsigned k = 0; k < 4; k++) {
        unsigned n = k == 0   ? v->n_remove_pdr
                     : k == 1 ? v->n_remove_far
                     : k == 2 ? v->n_remove_urr
                              : v->n_remove_qer;
        for (unsigned i = 0; i < n && i < G5_PFCP_MAX_RULES; i++) {
            g5_pfcp_group_begin(w, rm[k].group, &at);
            if (k == 0)
                g5_pfcp_put_u16(w, rm[k].id, v->remove_pdr[i]);
            else
                g5_pfcp_put_u32(w, rm[k].id,
                                k == 1   ? v->remove_far[i]
                                : k == 2 ? v->remove_urr[i]
                                         : v->remove_qer[i]);
            g5_pfcp_group_end(w, at);
        }
    }
    put_rules(w, &v->create, false);
    put_rules(w, &v->update, true);
    if (v->has_flags)
        g5_pfcp_put_u8(w, G5_PFCP_IE_PFCPSMREQ_FLAGS, v->flags);
    for (unsigned i = 0; i < v->n_query_urr && i < G5_PFCP_MAX_RULES; i++) {
        g5_pfcp_group_begin(w, G5_PFCP_IE_QUERY_URR, &at);
        g5_pfcp_put_u32(w, G5_PFCP_IE_URR_ID, v->query_urr[i]);
        g5_pfcp_group_end(w, at);
    }
    return finish(w, s);
}

int g5_pfcp_build_sess_mod_req_gnb_tunnel(g5_wbuf *w, uint64_t seid, uint32_t seq,
                                          uint32_t dl_far_id, uint32_t gnb_teid,
                                          const uint8_t gnb_ipv4[4])
{
    return g5_pfcp_build_sess_mod_req_gnb_tunnel_ip(w, seid, seq, dl_far_id, gnb_teid, false,
                                                    gnb_ipv4);
}

int g5_pfcp_build_sess_mod_req_gnb_tunnel_ip(g5_wbuf *w, uint64_t seid, uint32_t seq,
                                             uint32_t dl_far_id, uint32_t gnb_teid, bool v6,
                                             const uint8_t *ip)
{
    size_t s;
    g5_pfcp_far f;
    memset(&f, 0, sizeof f);
    f.far_id = dl_far_id;
    f.has_apply_action = true;
    f.apply_action = G5_PFCP_AA_FORW;
    f.has_fwd = true;
    f.fwd.has_dst_if = true;
    f.fwd.dst_if = G5_PFCP_IF_ACCESS;
    f.fwd.has_ohc = true;
    f.fwd.ohc.teid = gnb_teid;
    if (v6) { /* §8.2.56: GTP-U/UDP/IPv6, TEID + IPv6 address */
        f.fwd.ohc.desc = G5_PFCP_OHC_GTPU_UDP_IPV6;
        memcpy(f.fwd.ohc.ipv6, ip, 16);
    } else {
        f.fwd.ohc.desc = G5_PFCP_OHC_GTPU_UDP_IPV4;
        memcpy(f.fwd.ohc.ipv4, ip, 4);
    }
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_MOD_REQ, seid, seq, &s);
    g5_pfcp_put_far(w, G5_PFCP_IE_UPDATE_FAR, &f);
    return finish(w, s);
}

int g5_pfcp_build_sess_mod_rsp(g5_wbuf *w, uint64_t seid, uint32_t seq, const g5_pfcp_sess_rsp *v)
{
    size_t s;
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_MOD_RSP, seid, seq, &s);
    put_rsp_common(w, v);
    put_reports(w, G5_PFCP_IE_USAGE_REPORT_SMR, v->report, v->n_reports);
    return finish(w, s);
}

int g5_pfcp_build_sess_del_req(g5_wbuf *w, uint64_t seid, uint32_t seq)
{
    size_t s;
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_DEL_REQ, seid, seq, &s);
    return finish(w, s);
}

int g5_pfcp_build_sess_del_rsp(g5_wbuf *w, uint64_t seid, uint32_t seq, const g5_pfcp_sess_rsp *v)
{
    size_t s;
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_DEL_RSP, seid, seq, &s);
    put_rsp_common(w, v);
    put_reports(w, G5_PFCP_IE_USAGE_REPORT_SDR, v->report, v->n_reports);
    return finish(w, s);
}

int g5_pfcp_build_sess_report_req(g5_wbuf *w, uint64_t seid, uint32_t seq,
                                  const g5_pfcp_sess_report_req *v)
{
    size_t s, at;
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_REPORT_REQ, seid, seq, &s);
    g5_pfcp_put_u8(w, G5_PFCP_IE_REPORT_TYPE, v->report_type);
    if (v->n_dl_pdr) {
        g5_pfcp_group_begin(w, G5_PFCP_IE_DOWNLINK_DATA_REPORT, &at);
        for (unsigned i = 0; i < v->n_dl_pdr && i < G5_PFCP_MAX_RULES; i++)
            g5_pfcp_put_u16(w, G5_PFCP_IE_PDR_ID, v->dl_pdr_id[i]);
        g5_pfcp_group_end(w, at);
    }
    put_reports(w, G5_PFCP_IE_USAGE_REPORT_SRR, v->report, v->n_reports);
    return finish(w, s);
}

int g5_pfcp_build_sess_report_rsp(g5_wbuf *w, uint64_t seid, uint32_t seq, uint8_t cause)
{
    size_t s;
    g5_pfcp_msg_begin(w, G5_PFCP_SESSION_REPORT_RSP, seid, seq, &s);
    g5_pfcp_put_u8(w, G5_PFCP_IE_CAUSE, cause);
    return finish(w, s);
}

int g5_pfcp_build_reject(g5_wbuf *w, const g5_pfcp_hdr *req, uint64_t peer_seid,
                         const g5_pfcp_node_id *node, const g5_pfcp_error *e)
{
    size_t s;
    /* A Heartbeat Request is never rejected (§7.6.6 - §7.6.8). */
    if (!g5_pfcp_msg_name(req->type) || !g5_pfcp_msg_is_request(req->type) ||
        req->type == G5_PFCP_HEARTBEAT_REQ || !g5_pfcp_msg_name((uint8_t)(req->type + 1)))
        return G5_ERR_INVALID;
    uint8_t type = (uint8_t)(req->type + 1);
    g5_pfcp_msg_begin(w, type, peer_seid, req->seq, &s);
    /* Node ID is mandatory in every node-level response that has one and in the
     * establishment response (Tables 7.4.x, 7.5.3.1-1). */
    bool wants_node = type < 50 ? type != G5_PFCP_PFD_MGMT_RSP : type == G5_PFCP_SESSION_EST_RSP;
    if (wants_node && node)
        g5_pfcp_put_node_id(w, node);
    g5_pfcp_put_cause_offending(w, e);
    return finish(w, s);
}
