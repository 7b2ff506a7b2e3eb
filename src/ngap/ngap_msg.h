/* NGAP (TS 38.413 R17) message layer over the generated types in ngap/gen/ngap_types.h.
 *
 * The generated structs stay visible: a decoded NGAP_NGAP_PDU_t is walked directly, e.g.
 *   const NGAP_RAN_UE_NGAP_ID_t *id = ngap_find_ie(&pdu, NGAP_id_RAN_UE_NGAP_ID);
 *   NGAP_InitialUEMessage_t *m = &pdu.initiatingMessage.value.InitialUEMessage;
 *   m->protocolIEs.list[i].value.NAS_PDU ...
 * This file adds decode/encode/free, header accessors, a generic "start a message / add an
 * IE" pair driven by the object sets (criticality and value type come from the spec's
 * tables, so they cannot be set wrongly), builders for the messages the AMF and the gNB
 * simulator exchange, and the Criticality Diagnostics / Error Indication support of
 * clause 10.3.
 */
#ifndef G5_NGAP_MSG_H
#define G5_NGAP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "asn1/aper.h"
#include "core/buf.h"
#include "ngap/gen/ngap_types.h"

/* NGAP-PDU alternatives (= NGAP_NGAP_PDU_t.present) */
enum ngap_msg_type {
    NGAP_MSG_INITIATING = NGAP_NGAP_PDU_PR_initiatingMessage,
    NGAP_MSG_SUCCESSFUL = NGAP_NGAP_PDU_PR_successfulOutcome,
    NGAP_MSG_UNSUCCESSFUL = NGAP_NGAP_PDU_PR_unsuccessfulOutcome,
};

/* Decodes one NGAP-PDU. diag (may be NULL) receives IEs that were not understood or are
 * missing (clause 10.3.4/10.3.5). On error pdu is left empty. */
int ngap_decode(NGAP_NGAP_PDU_t *pdu, const uint8_t *p, size_t n, a1_diag *diag);
int ngap_encode(const NGAP_NGAP_PDU_t *pdu, g5_wbuf *out);
void ngap_free(NGAP_NGAP_PDU_t *pdu);

/* Reads message type, procedure code and criticality from the first 3 octets without a
 * full decode (usable when the decode failed, to fill Criticality Diagnostics). */
int ngap_peek_header(const uint8_t *p, size_t n, int *type, int *procedure_code, int *criticality);
/* Procedure code of a decoded PDU, or -1. */
int ngap_procedure_code(const NGAP_NGAP_PDU_t *pdu);

/* The typed value of the first IE with this id in the message's protocolIEs (e.g. a
 * const NGAP_AMF_UE_NGAP_ID_t *), or NULL when absent or not understood. */
const void *ngap_find_ie(const NGAP_NGAP_PDU_t *pdu, int64_t ie_id);
/* Number of IEs in the message's protocolIEs (0 when none). */
size_t ngap_ie_count(const NGAP_NGAP_PDU_t *pdu);

/* Starts an empty message of the given type and procedure (criticality from the
 * procedure's definition). Fails if the procedure has no such message. */
int ngap_msg_init(NGAP_NGAP_PDU_t *pdu, enum ngap_msg_type type, int64_t procedure_code);
/* Appends an IE to the message (criticality and value type from the message's IE set)
 * and returns its zeroed typed value to fill, or NULL if the id is not allowed in this
 * message or memory ran out. The pointer is valid until the next ngap_add_ie on the same
 * message (the IE list may move). */
void *ngap_add_ie(NGAP_NGAP_PDU_t *pdu, int64_t ie_id);

/* ---- builders: each starts *pdu with ngap_msg_init and adds the mandatory IEs; add
 * optional ones with ngap_add_ie. plmn is the 3-octet PLMN Identity (TS 38.413 9.3.3.5),
 * tac 3 octets, nr_cell_id the 36-bit NR Cell Identity. All return 0 or a g5_err. ---- */
typedef struct ngap_snssai {
    uint8_t sst;
    bool has_sd;
    uint8_t sd[3];
} ngap_snssai;

typedef struct ngap_guami {
    uint8_t plmn[3];
    uint8_t region_id; /* 8 bits */
    uint16_t set_id; /* 10 bits */
    uint8_t pointer; /* 6 bits */
} ngap_guami;

int ngap_build_ng_setup_request(NGAP_NGAP_PDU_t *pdu, const uint8_t plmn[3], uint32_t gnb_id,
                                unsigned gnb_id_bits, const char *ran_node_name,
                                const uint8_t tac[3], const ngap_snssai *slices, size_t nslices,
                                NGAP_PagingDRX_t paging_drx);
int ngap_build_ng_setup_response(NGAP_NGAP_PDU_t *pdu, const char *amf_name,
                                 const ngap_guami *guami, const ngap_snssai *slices, size_t nslices,
                                 int64_t relative_capacity);
int ngap_build_ng_setup_failure(NGAP_NGAP_PDU_t *pdu, const NGAP_Cause_t *cause);
int ngap_build_initial_ue_message(NGAP_NGAP_PDU_t *pdu, int64_t ran_ue_id, const uint8_t *nas,
                                  size_t nas_len, const uint8_t plmn[3], const uint8_t tac[3],
                                  uint64_t nr_cell_id, NGAP_RRCEstablishmentCause_t cause);
int ngap_build_uplink_nas_transport(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id,
                                    const uint8_t *nas, size_t nas_len, const uint8_t plmn[3],
                                    const uint8_t tac[3], uint64_t nr_cell_id);
int ngap_build_downlink_nas_transport(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id,
                                      const uint8_t *nas, size_t nas_len);
/* ue_sec_caps: NR enc, NR int, E-UTRA enc, E-UTRA int (16-bit masks, TS 38.413 9.3.1.86);
 * kgnb: the 256-bit Security Key. */
int ngap_build_initial_context_setup_request(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                             int64_t ran_ue_id, const ngap_guami *guami,
                                             const ngap_snssai *allowed, size_t nallowed,
                                             const uint16_t ue_sec_caps[4], const uint8_t kgnb[32],
                                             const uint8_t *nas, size_t nas_len);
int ngap_build_initial_context_setup_response(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                              int64_t ran_ue_id);
int ngap_build_initial_context_setup_failure(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                             int64_t ran_ue_id, const NGAP_Cause_t *cause);
int ngap_build_ue_context_release_request(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                          int64_t ran_ue_id, const NGAP_Cause_t *cause);
/* ran_ue_id < 0: identify the UE by the AMF UE NGAP ID alone */
int ngap_build_ue_context_release_command(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                          int64_t ran_ue_id, const NGAP_Cause_t *cause);
int ngap_build_ue_context_release_complete(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                           int64_t ran_ue_id);
/* One PDU session per call; transfer = the encoded ...Transfer (see ngap_encode_transfer). */
int ngap_build_pdu_session_setup_request(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id,
                                         int64_t psi, const ngap_snssai *s, const uint8_t *nas,
                                         size_t nas_len, const uint8_t *transfer,
                                         size_t transfer_len);
int ngap_build_pdu_session_setup_response(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                          int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                          size_t transfer_len);
int ngap_build_pdu_session_release_command(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                           int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                           size_t transfer_len);
int ngap_build_pdu_session_release_response(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                            int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                            size_t transfer_len);
int ngap_build_pdu_session_modify_request(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                          int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                          size_t transfer_len);
int ngap_build_pdu_session_modify_response(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id,
                                           int64_t ran_ue_id, int64_t psi, const uint8_t *transfer,
                                           size_t transfer_len);
int ngap_build_paging(NGAP_NGAP_PDU_t *pdu, uint16_t amf_set_id, uint8_t amf_pointer, uint32_t tmsi,
                      const uint8_t plmn[3], const uint8_t tac[3]);
/* NG Reset of the whole interface (ResetAll) */
int ngap_build_ng_reset(NGAP_NGAP_PDU_t *pdu, const NGAP_Cause_t *cause);
int ngap_build_ng_reset_acknowledge(NGAP_NGAP_PDU_t *pdu);
/* Any argument may be NULL / negative to leave the IE out. */
int ngap_build_error_indication(NGAP_NGAP_PDU_t *pdu, int64_t amf_ue_id, int64_t ran_ue_id,
                                const NGAP_Cause_t *cause,
                                const NGAP_CriticalityDiagnostics_t *diagnostics);

/* Fills Criticality Diagnostics (TS 38.413 9.3.1.3) for a received message from its
 * header and the decoder's findings. */
int ngap_criticality_diagnostics(NGAP_CriticalityDiagnostics_t *cd, int procedure_code, int type,
                                 int criticality, const a1_diag *diag);

/* Cause helper: group is NGAP_Cause_PR_*, value the group's enum value. */
NGAP_Cause_t ngap_cause(uint32_t group, int value);

/* Encode/decode the separately carried ...Transfer containers (e.g.
 * NGAP_PDUSessionResourceSetupRequestTransfer_def) into/from an OCTET STRING. */
int ngap_encode_transfer(const a1_type *t, const void *v, a1_octets *out);
int ngap_decode_transfer(const a1_type *t, void *v, const a1_octets *in);

#endif
