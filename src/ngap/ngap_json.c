/* `glass5g decode|encode ngap`: NGAP-PDU (TS 38.413 clause 9.4) <-> JSON through the
 * generated descriptors (src/asn1/a1_json.c describes the JSON form). */
#include "core/codec_json.h"
#include "core/err.h"

#include <stdio.h>

#include "asn1/a1_json.h"
#include "ngap/gen/ngap_types.h"

int g5_ngap_decode_json(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen)
{
    NGAP_NGAP_PDU_t pdu;
    a1_diag d;
    *out = NULL;
    int rc = a1_decode(&NGAP_NGAP_PDU_def, &pdu, p, n, &d);
    if (rc < 0) {
        snprintf(err, errlen, "%s at byte %zu (bit %zu) in %s", g5_strerror(rc), d.err_bit / 8,
                 d.err_bit, d.err_type ? d.err_type : "NGAP-PDU");
        return rc;
    }
    *out = a1_to_json(&NGAP_NGAP_PDU_def, &pdu);
    a1_free(&NGAP_NGAP_PDU_def, &pdu);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return G5_ERR_NOMEM;
    }
    return 0;
}

int g5_ngap_encode_json(const json_t *in, g5_wbuf *out, char *err, size_t errlen)
{
    NGAP_NGAP_PDU_t pdu;
    int rc = a1_from_json(&NGAP_NGAP_PDU_def, &pdu, in, err, errlen);
    if (rc < 0)
        return rc;
    rc = a1_encode(&NGAP_NGAP_PDU_def, &pdu, out);
    a1_free(&NGAP_NGAP_PDU_def, &pdu);
    if (rc < 0 && !err[0])
        snprintf(err, errlen, "cannot encode: %s", g5_strerror(rc));
    return rc;
}
