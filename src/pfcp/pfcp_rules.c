/* Typed views of the PFCP rule IEs (TS 29.244 §7.5.2 - §7.5.9): parse a decoded grouped IE
 * into a struct and encode a struct back into a grouped IE. Only the first instance of a
 * non-list member is read (§7.6.10); malformed optional members count as absent. */
#include <string.h>

#include "core/err.h"
#include "pfcp/pfcp_rules.h"

static g5_pfcp_str str_of(const g5_pfcp_ie *ie)
{
    g5_pfcp_str s = {NULL, 0};
    if (ie) {
        s.p = ie->val;
        s.len = ie->len;
    }
    return s;
}

/* Copies a Network Instance / DNN out of the message; too long counts as malformed. */
static void ni_of(const g5_pfcp_ie *ie, g5_pfcp_ni *ni)
{
    ni->len = 0;
    if (ie && ie->len <= G5_PFCP_MAX_NI) {
        ni->len = (uint8_t)ie->len;
        memcpy(ni->v, ie->val, ie->len);
    }
}

static bool opt_u32(const g5_pfcp_msg *m, const g5_pfcp_ie *p, uint16_t t, uint32_t *v)
{
    return g5_pfcp_get_u32(m, p, t, v) == 0;
}

static bool opt_u8(const g5_pfcp_msg *m, const g5_pfcp_ie *p, uint16_t t, uint8_t *v)
{
    return g5_pfcp_get_u8(m, p, t, v) == 0;
}

static int pdi_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *pdi, g5_pfcp_pdi *v)
{
    const g5_pfcp_ie *ie;
    if (g5_pfcp_get_u8(m, pdi, G5_PFCP_IE_SOURCE_INTERFACE, &v->src_if))
        return G5_ERR_MISSING;
    v->src_if &= 0x0f;
    if ((ie = g5_pfcp_child(m, pdi, G5_PFCP_IE_F_TEID)))
        v->has_fteid = g5_pfcp_fteid_parse(ie->val, ie->len, &v->fteid) == 0;
    ni_of(g5_pfcp_child(m, pdi, G5_PFCP_IE_NETWORK_INSTANCE), &v->network_instance);
    if ((ie = g5_pfcp_child(m, pdi, G5_PFCP_IE_UE_IP_ADDRESS)))
        v->has_ue_ip = g5_pfcp_ue_ip_parse(ie->val, ie->len, &v->ue_ip) == 0;
    G5_PFCP_FOREACH(m, pdi, G5_PFCP_IE_SDF_FILTER, s)
    {
        if (v->n_sdf >= G5_PFCP_MAX_SDF)
            return G5_ERR_LIMIT;
        if (g5_pfcp_sdf_parse(s->val, s->len, &v->sdf[v->n_sdf]) == 0)
            v->n_sdf++;
    }
    v->app_id = str_of(g5_pfcp_child(m, pdi, G5_PFCP_IE_APPLICATION_ID));
    if ((v->has_qfi = opt_u8(m, pdi, G5_PFCP_IE_QFI, &v->qfi)))
        v->qfi &= 0x3f;
    return 0;
}

int g5_pfcp_pdr_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *pdr, g5_pfcp_pdr *v)
{
    const g5_pfcp_ie *ie;
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_u16(m, pdr, G5_PFCP_IE_PDR_ID, &v->pdr_id))
        return G5_ERR_MISSING;
    v->has_precedence = opt_u32(m, pdr, G5_PFCP_IE_PRECEDENCE, &v->precedence);
    if ((ie = g5_pfcp_child(m, pdr, G5_PFCP_IE_PDI))) {
        int rc = pdi_parse(m, ie, &v->pdi);
        if (rc)
            return rc;
        v->has_pdi = true;
    }
    if ((ie = g5_pfcp_child(m, pdr, G5_PFCP_IE_OUTER_HEADER_REMOVAL)))
        v->has_ohr = g5_pfcp_ohr_parse(ie->val, ie->len, &v->ohr) == 0;
    v->has_far_id = opt_u32(m, pdr, G5_PFCP_IE_FAR_ID, &v->far_id);
    G5_PFCP_FOREACH(m, pdr, G5_PFCP_IE_URR_ID, u)
    {
        if (v->n_urr >= G5_PFCP_MAX_REFS)
            return G5_ERR_LIMIT;
        if (u->len >= 4)
            v->urr_id[v->n_urr++] = (uint32_t)u->val[0] << 24 | (uint32_t)u->val[1] << 16 |
                                    (uint32_t)u->val[2] << 8 | u->val[3];
    }
    G5_PFCP_FOREACH(m, pdr, G5_PFCP_IE_QER_ID, q)
    {
        if (v->n_qer >= G5_PFCP_MAX_REFS)
            return G5_ERR_LIMIT;
        if (q->len >= 4)
            v->qer_id[v->n_qer++] = (uint32_t)q->val[0] << 24 | (uint32_t)q->val[1] << 16 |
                                    (uint32_t)q->val[2] << 8 | q->val[3];
    }
    return 0;
}

static void fwd_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *fp, g5_pfcp_fwd *v)
{
    const g5_pfcp_ie *ie;
    if ((v->has_dst_if = opt_u8(m, fp, G5_PFCP_IE_DESTINATION_INTERFACE, &v->dst_if)))
        v->dst_if &= 0x0f;
    ni_of(g5_pfcp_child(m, fp, G5_PFCP_IE_NETWORK_INSTANCE), &v->network_instance);
    if ((ie = g5_pfcp_child(m, fp, G5_PFCP_IE_OUTER_HEADER_CREATION)))
        v->has_ohc = g5_pfcp_ohc_parse(ie->val, ie->len, &v->ohc) == 0;
    v->has_smreq_flags = opt_u8(m, fp, G5_PFCP_IE_PFCPSMREQ_FLAGS, &v->smreq_flags);
}

int g5_pfcp_far_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *far, g5_pfcp_far *v)
{
    const g5_pfcp_ie *ie;
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_u32(m, far, G5_PFCP_IE_FAR_ID, &v->far_id))
        return G5_ERR_MISSING;
    if ((ie = g5_pfcp_child(m, far, G5_PFCP_IE_APPLY_ACTION)) && ie->len) {
        v->has_apply_action = true;
        v->apply_action = (uint16_t)g5_pfcp_flags_parse(ie->val, ie->len < 2 ? ie->len : 2);
    }
    ie = g5_pfcp_child(m, far, G5_PFCP_IE_FORWARDING_PARAMETERS);
    if (!ie)
        ie = g5_pfcp_child(m, far, G5_PFCP_IE_UPDATE_FORWARDING_PARAMETERS);
    if (ie) {
        v->has_fwd = true;
        fwd_parse(m, ie, &v->fwd);
    }
    v->has_bar_id = opt_u8(m, far, G5_PFCP_IE_BAR_ID, &v->bar_id);
    return 0;
}

int g5_pfcp_qer_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *qer, g5_pfcp_qer *v)
{
    const g5_pfcp_ie *ie;
    uint8_t gate = 0;
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_u32(m, qer, G5_PFCP_IE_QER_ID, &v->qer_id))
        return G5_ERR_MISSING;
    v->has_corr_id = opt_u32(m, qer, G5_PFCP_IE_QER_CORRELATION_ID, &v->corr_id);
    if ((v->has_gate = opt_u8(m, qer, G5_PFCP_IE_GATE_STATUS, &gate))) {
        v->gate_ul = (gate >> 2) & 3; /* §8.2.7: UL gate bits 4-3, DL gate bits 2-1 */
        v->gate_dl = gate & 3;
    }
    if ((ie = g5_pfcp_child(m, qer, G5_PFCP_IE_MBR)))
        v->has_mbr = g5_pfcp_bitrate_parse(ie->val, ie->len, &v->mbr) == 0;
    if ((ie = g5_pfcp_child(m, qer, G5_PFCP_IE_GBR)))
        v->has_gbr = g5_pfcp_bitrate_parse(ie->val, ie->len, &v->gbr) == 0;
    if ((v->has_qfi = opt_u8(m, qer, G5_PFCP_IE_QFI, &v->qfi)))
        v->qfi &= 0x3f;
    return 0;
}

int g5_pfcp_urr_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *urr, g5_pfcp_urr *v)
{
    const g5_pfcp_ie *ie;
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_u32(m, urr, G5_PFCP_IE_URR_ID, &v->urr_id))
        return G5_ERR_MISSING;
    v->has_method = opt_u8(m, urr, G5_PFCP_IE_MEASUREMENT_METHOD, &v->method);
    if ((ie = g5_pfcp_child(m, urr, G5_PFCP_IE_REPORTING_TRIGGERS)) && ie->len) {
        v->has_triggers = true;
        v->triggers = g5_pfcp_flags_parse(ie->val, ie->len);
    }
    v->has_period = opt_u32(m, urr, G5_PFCP_IE_MEASUREMENT_PERIOD, &v->period);
    if ((ie = g5_pfcp_child(m, urr, G5_PFCP_IE_VOLUME_THRESHOLD)))
        v->has_vol_thr = g5_pfcp_volume_parse(ie->val, ie->len, false, &v->vol_thr) == 0;
    if ((ie = g5_pfcp_child(m, urr, G5_PFCP_IE_VOLUME_QUOTA)))
        v->has_vol_quota = g5_pfcp_volume_parse(ie->val, ie->len, false, &v->vol_quota) == 0;
    v->has_time_thr = opt_u32(m, urr, G5_PFCP_IE_TIME_THRESHOLD, &v->time_thr);
    v->has_time_quota = opt_u32(m, urr, G5_PFCP_IE_TIME_QUOTA, &v->time_quota);
    return 0;
}

int g5_pfcp_usage_report_parse(const g5_pfcp_msg *m, const g5_pfcp_ie *ur, g5_pfcp_usage_report *v)
{
    const g5_pfcp_ie *ie;
    memset(v, 0, sizeof *v);
    if (g5_pfcp_get_u32(m, ur, G5_PFCP_IE_URR_ID, &v->urr_id) ||
        g5_pfcp_get_u32(m, ur, G5_PFCP_IE_UR_SEQN, &v->ur_seqn))
        return G5_ERR_MISSING;
    if (!(ie = g5_pfcp_child(m, ur, G5_PFCP_IE_USAGE_REPORT_TRIGGER)))
        return G5_ERR_MISSING;
    v->trigger = g5_pfcp_flags_parse(ie->val, ie->len);
    v->has_start = opt_u32(m, ur, G5_PFCP_IE_START_TIME, &v->start);
    v->has_end = opt_u32(m, ur, G5_PFCP_IE_END_TIME, &v->end);
    if ((ie = g5_pfcp_child(m, ur, G5_PFCP_IE_VOLUME_MEASUREMENT)))
        v->has_vol = g5_pfcp_volume_parse(ie->val, ie->len, true, &v->vol) == 0;
    v->has_dur = opt_u32(m, ur, G5_PFCP_IE_DURATION_MEASUREMENT, &v->dur);
    v->has_first_pkt = opt_u32(m, ur, G5_PFCP_IE_TIME_OF_FIRST_PACKET, &v->first_pkt);
    v->has_last_pkt = opt_u32(m, ur, G5_PFCP_IE_TIME_OF_LAST_PACKET, &v->last_pkt);
    return 0;
}

/* ---- encoders ---- */

static void put_str(g5_wbuf *w, uint16_t type, g5_pfcp_str s)
{
    if (s.p)
        g5_pfcp_put_ie(w, type, s.p, s.len);
}

static void put_ni(g5_wbuf *w, uint16_t type, const g5_pfcp_ni *ni)
{
    if (ni->len)
        g5_pfcp_put_ie(w, type, ni->v, ni->len);
}

static void pdi_put(g5_wbuf *w, const g5_pfcp_pdi *v)
{
    size_t at;
    g5_pfcp_group_begin(w, G5_PFCP_IE_PDI, &at);
    g5_pfcp_put_u8(w, G5_PFCP_IE_SOURCE_INTERFACE, v->src_if & 0x0f);
    if (v->has_fteid)
        g5_pfcp_put_fteid(w, G5_PFCP_IE_F_TEID, &v->fteid);
    put_ni(w, G5_PFCP_IE_NETWORK_INSTANCE, &v->network_instance);
    if (v->has_ue_ip)
        g5_pfcp_put_ue_ip(w, &v->ue_ip);
    for (unsigned i = 0; i < v->n_sdf && i < G5_PFCP_MAX_SDF; i++)
        g5_pfcp_put_sdf(w, &v->sdf[i]);
    put_str(w, G5_PFCP_IE_APPLICATION_ID, v->app_id);
    if (v->has_qfi)
        g5_pfcp_put_u8(w, G5_PFCP_IE_QFI, v->qfi & 0x3f);
    g5_pfcp_group_end(w, at);
}

int g5_pfcp_put_pdr(g5_wbuf *w, uint16_t type, const g5_pfcp_pdr *v)
{
    size_t at;
    g5_pfcp_group_begin(w, type, &at);
    g5_pfcp_put_u16(w, G5_PFCP_IE_PDR_ID, v->pdr_id);
    if (v->has_precedence)
        g5_pfcp_put_u32(w, G5_PFCP_IE_PRECEDENCE, v->precedence);
    if (v->has_pdi)
        pdi_put(w, &v->pdi);
    if (v->has_ohr)
        g5_pfcp_put_ohr(w, &v->ohr);
    if (v->has_far_id)
        g5_pfcp_put_u32(w, G5_PFCP_IE_FAR_ID, v->far_id);
    for (unsigned i = 0; i < v->n_urr && i < G5_PFCP_MAX_REFS; i++)
        g5_pfcp_put_u32(w, G5_PFCP_IE_URR_ID, v->urr_id[i]);
    for (unsigned i = 0; i < v->n_qer && i < G5_PFCP_MAX_REFS; i++)
        g5_pfcp_put_u32(w, G5_PFCP_IE_QER_ID, v->qer_id[i]);
    return g5_pfcp_group_end(w, at);
}

int g5_pfcp_put_far(g5_wbuf *w, uint16_t type, const g5_pfcp_far *v)
{
    size_t at, fat;
    bool update = type == G5_PFCP_IE_UPDATE_FAR;
    g5_pfcp_group_begin(w, type, &at);
    g5_pfcp_put_u32(w, G5_PFCP_IE_FAR_ID, v->far_id);
    if (v->has_apply_action) /* the 2-octet form only when an octet-6 bit is set */
        g5_pfcp_put_flags(w, G5_PFCP_IE_APPLY_ACTION, v->apply_action, 1);
    if (v->has_fwd) {
        g5_pfcp_group_begin(
            w, update ? G5_PFCP_IE_UPDATE_FORWARDING_PARAMETERS : G5_PFCP_IE_FORWARDING_PARAMETERS,
            &fat);
        if (v->fwd.has_dst_if)
            g5_pfcp_put_u8(w, G5_PFCP_IE_DESTINATION_INTERFACE, v->fwd.dst_if & 0x0f);
        put_ni(w, G5_PFCP_IE_NETWORK_INSTANCE, &v->fwd.network_instance);
        if (v->fwd.has_ohc)
            g5_pfcp_put_ohc(w, &v->fwd.ohc);
        if (update && v->fwd.has_smreq_flags)
            g5_pfcp_put_u8(w, G5_PFCP_IE_PFCPSMREQ_FLAGS, v->fwd.smreq_flags);
        g5_pfcp_group_end(w, fat);
    }
    if (v->has_bar_id)
        g5_pfcp_put_u8(w, G5_PFCP_IE_BAR_ID, v->bar_id);
    return g5_pfcp_group_end(w, at);
}

int g5_pfcp_put_qer(g5_wbuf *w, uint16_t type, const g5_pfcp_qer *v)
{
    size_t at;
    g5_pfcp_group_begin(w, type, &at);
    g5_pfcp_put_u32(w, G5_PFCP_IE_QER_ID, v->qer_id);
    if (v->has_corr_id)
        g5_pfcp_put_u32(w, G5_PFCP_IE_QER_CORRELATION_ID, v->corr_id);
    if (v->has_gate)
        g5_pfcp_put_u8(w, G5_PFCP_IE_GATE_STATUS,
                       (uint8_t)((v->gate_ul & 3) << 2 | (v->gate_dl & 3)));
    if (v->has_mbr)
        g5_pfcp_put_bitrate(w, G5_PFCP_IE_MBR, &v->mbr);
    if (v->has_gbr)
        g5_pfcp_put_bitrate(w, G5_PFCP_IE_GBR, &v->gbr);
    if (v->has_qfi)
        g5_pfcp_put_u8(w, G5_PFCP_IE_QFI, v->qfi & 0x3f);
    return g5_pfcp_group_end(w, at);
}

int g5_pfcp_put_urr(g5_wbuf *w, uint16_t type, const g5_pfcp_urr *v)
{
    size_t at;
    g5_pfcp_group_begin(w, type, &at);
    g5_pfcp_put_u32(w, G5_PFCP_IE_URR_ID, v->urr_id);
    if (v->has_method)
        g5_pfcp_put_u8(w, G5_PFCP_IE_MEASUREMENT_METHOD, v->method);
    if (v->has_triggers)
        g5_pfcp_put_flags(w, G5_PFCP_IE_REPORTING_TRIGGERS, v->triggers, 2);
    if (v->has_period)
        g5_pfcp_put_u32(w, G5_PFCP_IE_MEASUREMENT_PERIOD, v->period);
    if (v->has_vol_thr)
        g5_pfcp_put_volume(w, G5_PFCP_IE_VOLUME_THRESHOLD, &v->vol_thr);
    if (v->has_vol_quota)
        g5_pfcp_put_volume(w, G5_PFCP_IE_VOLUME_QUOTA, &v->vol_quota);
    if (v->has_time_thr)
        g5_pfcp_put_u32(w, G5_PFCP_IE_TIME_THRESHOLD, v->time_thr);
    if (v->has_time_quota)
        g5_pfcp_put_u32(w, G5_PFCP_IE_TIME_QUOTA, v->time_quota);
    return g5_pfcp_group_end(w, at);
}

int g5_pfcp_put_usage_report(g5_wbuf *w, uint16_t type, const g5_pfcp_usage_report *v)
{
    size_t at;
    g5_pfcp_group_begin(w, type, &at);
    g5_pfcp_put_u32(w, G5_PFCP_IE_URR_ID, v->urr_id);
    g5_pfcp_put_u32(w, G5_PFCP_IE_UR_SEQN, v->ur_seqn);
    g5_pfcp_put_flags(w, G5_PFCP_IE_USAGE_REPORT_TRIGGER, v->trigger, 2);
    if (v->has_start)
        g5_pfcp_put_u32(w, G5_PFCP_IE_START_TIME, v->start);
    if (v->has_end)
        g5_pfcp_put_u32(w, G5_PFCP_IE_END_TIME, v->end);
    if (v->has_vol)
        g5_pfcp_put_volume(w, G5_PFCP_IE_VOLUME_MEASUREMENT, &v->vol);
    if (v->has_dur)
        g5_pfcp_put_u32(w, G5_PFCP_IE_DURATION_MEASUREMENT, v->dur);
    if (v->has_first_pkt)
        g5_pfcp_put_u32(w, G5_PFCP_IE_TIME_OF_FIRST_PACKET, v->first_pkt);
    if (v->has_last_pkt)
        g5_pfcp_put_u32(w, G5_PFCP_IE_TIME_OF_LAST_PACKET, v->last_pkt);
    return g5_pfcp_group_end(w, at);
}
