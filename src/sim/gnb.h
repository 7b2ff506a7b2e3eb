/* glass5g-sim gNB: the NGAP side (TS 38.413) of the simulated gNB.
 *
 * It builds the non-UE messages (NG Setup Request, NG Reset, Error Indication) and the
 * UE-associated ones (Initial UE Message, Uplink NAS Transport, Initial Context Setup
 * Response/Failure, UE Context Release Request/Complete) from the sim config, and decodes
 * every downlink NGAP PDU into a sim_n2_event (procedure, UE NGAP IDs, NAS-PDU) plus the
 * details the gNB itself acts on (NG Setup outcome and Time to wait, Paging 5G-S-TMSI).
 * PDUs are plain byte buffers so the transport (usrsctp/kernel SCTP or a test) is free.
 * Stream ids follow TS 38.412 §7: non-UE signalling on stream 0, UE-associated on >= 1.
 */
#ifndef G5_SIM_GNB_H
#define G5_SIM_GNB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "sim/sim.h"

/* What the gNB knows of a UE beyond sim_ue: kept at the start of ue->proto (sim_ue_ctx). */
typedef struct sim_ue_n2 {
    int64_t amf_ue_ngap_id; /* -1 until the AMF assigned one (TS 38.413 9.3.3.1) */
    bool has_s_tmsi; /* the UE holds a 5G-GUTI: Initial UE Message carries 5G-S-TMSI */
    uint16_t amf_set_id; /* 10 bits */
    uint8_t amf_pointer; /* 6 bits */
    uint32_t tmsi;
    uint8_t rrc_cause; /* NGAP_RRCEstablishmentCause_t of the next Initial UE Message */
    uint8_t amf_idx; /* the AMF (gnb.amf_addresses index) of the connection amf_ran_id */
    bool amf_selected; /* amf_idx was chosen for the N2 connection amf_ran_id */
    uint32_t amf_ran_id;
} sim_ue_n2;

typedef struct sim_gnb {
    const sim_gnb_config *cfg;
    uint8_t plmn[3];
    uint8_t tac[3];
    uint32_t gnb_id; /* the NCI's top id_length bits (TS 38.300 8.2) */
    unsigned gnb_id_bits;
    uint16_t nstreams; /* outbound SCTP streams; UE-associated ones are 1..nstreams-1 */
    bool ng_up; /* NG Setup Response received */
} sim_gnb;

/* Fills gnb from cfg (PLMN, TAC, gNB ID). G5_ERR_INVALID on a bad MCC/MNC or id_length. */
int sim_gnb_init(sim_gnb *gnb, const sim_gnb_config *cfg);
/* The sim_gnb_ops over a sim_gnb (the layer pointer). */
extern const sim_gnb_ops sim_gnb_ngap_ops;

/* TS 38.412 §7: SCTP stream for a UE-associated message (>= 1), 0 for non-UE signalling. */
uint16_t sim_gnb_stream(const sim_gnb *gnb, uint32_t ran_ue_ngap_id);

#define SIM_GNB_MAX_GUAMI 4

/* A decoded downlink PDU, with the details the gNB acts on. */
typedef struct sim_gnb_dl {
    sim_n2_event ev;
    int type; /* enum ngap_msg_type */
    bool has_amf_id, has_ran_id;
    unsigned time_to_wait_s; /* NG Setup Failure: Time to wait (0 = absent) */
    bool has_s_tmsi; /* Paging: the paged UE */
    uint16_t amf_set_id;
    uint8_t amf_pointer;
    uint32_t tmsi;
    int cause_group, cause_value; /* Cause IE if present, else -1 */
    uint8_t nguami; /* NG Setup Response: Served GUAMI List (the first SIM_GNB_MAX_GUAMI) */
    struct {
        uint8_t region_id;
        uint16_t set_id; /* 10 bits */
        uint8_t pointer; /* 6 bits */
    } guami[SIM_GNB_MAX_GUAMI];
} sim_gnb_dl;
/* Decodes one downlink NGAP PDU (NAS-PDU points into pdu). 0 or a negative g5_err. */
int sim_gnb_decode(const uint8_t *pdu, size_t len, sim_gnb_dl *dl);

/* Builders (0 or a negative g5_err; the encoded PDU is appended to out). */
int sim_gnb_build_ng_setup(const sim_gnb *gnb, g5_wbuf *out);
int sim_gnb_build_initial_ue(const sim_gnb *gnb, uint32_t ran_ue_id, const sim_ue_n2 *n2,
                             const uint8_t *nas, size_t len, g5_wbuf *out);
int sim_gnb_build_uplink_nas(const sim_gnb *gnb, uint32_t ran_ue_id, int64_t amf_ue_id,
                             const uint8_t *nas, size_t len, g5_wbuf *out);
int sim_gnb_build_ics_response(uint32_t ran_ue_id, int64_t amf_ue_id, g5_wbuf *out);
/* cause: a radioNetwork cause value (TS 38.413 9.3.1.2). */
int sim_gnb_build_ics_failure(uint32_t ran_ue_id, int64_t amf_ue_id, int cause, g5_wbuf *out);
int sim_gnb_build_release_request(uint32_t ran_ue_id, int64_t amf_ue_id, int cause, g5_wbuf *out);
int sim_gnb_build_release_complete(uint32_t ran_ue_id, int64_t amf_ue_id, g5_wbuf *out);
/* amf_ue_id / ran_ue_id < 0 leave the IE out; cause is a protocol cause value. */
int sim_gnb_build_error_indication(int64_t amf_ue_id, int64_t ran_ue_id, int cause, g5_wbuf *out);
int sim_gnb_build_ng_reset(int cause, g5_wbuf *out);
int sim_gnb_build_ng_reset_ack(g5_wbuf *out);

/* Seconds of an NGAP TimeToWait value (TS 38.413 9.3.1.56), 0 for an unknown value. */
unsigned sim_gnb_time_to_wait_s(int v);

#endif
