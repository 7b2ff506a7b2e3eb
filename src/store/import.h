/* Subscriber fields from text: the one place that turns "--k HEX", a CSV cell or a YAML
 * value into a g5_subscriber field, so the CLI flags, CSV import and YAML import accept
 * the same spellings and report the same messages ("must be 32 hex digits (16 bytes)").
 * Messages never contain the value of a secret field (k, opc, op).
 *
 * Import files (glass5g subscriber import FILE), detected by extension:
 *   .csv   a header row naming the columns, then one subscriber per line:
 *            supi,k,opc,amf,sqn,auth,slices,dnns,ambr_ul,ambr_dl,msisdn
 *            imsi-001010000000001,465b...,cd63...,8000,0,5g_aka,1;1:000001,internet;ims,1Gbps,2Gbps,
 *          list cells (slices, dnns) separate items with ';'; an empty cell keeps the default.
 *   .yaml  a list of maps with the same keys; slices/dnns may be YAML lists.
 * Keys: supi, k, opc | op, amf, sqn, auth, slices, dnns, default_dnn, ambr_ul, ambr_dl, msisdn.
 */
#ifndef G5_STORE_IMPORT_H
#define G5_STORE_IMPORT_H

#include <stddef.h>

#include "store/store.h"

#define G5_IMPORT_MAX_ROWS 1000000

/* Sets the field `name` (a key above) from text. slices/dnns append items (';' or ','
 * separated) to the list, which is emptied the first time the field is set (tracked with
 * *fields, G5_SUB_F_*). On error writes the problem and the fix into why (no value echo
 * for secrets). Unknown names are G5_ERR_NOT_FOUND. */
int g5_sub_field_set(g5_subscriber *sub, const char *name, const char *value, unsigned *fields,
                     bool *default_dnn_set, char *why, size_t whylen);
/* After all fields are set: fills default_dnn from the first DNN when not given, adds a
 * lone default_dnn to the list. */
void g5_sub_fields_finish(g5_subscriber *sub, unsigned fields, bool default_dnn_set);

typedef struct g5_import {
    g5_subscriber *subs;
    int *lines; /* line of each record in the file */
    size_t n;
} g5_import;

/* Parses a whole .csv/.yaml/.yml file; every record is complete and valid on success. On
 * failure err reads "FILE:LINE: FIELD: problem; fix" and nothing is returned. */
int g5_import_file(const char *path, g5_import *out, char *err, size_t errlen);
/* The same from memory; `name` (used in messages) picks the format by its extension. */
int g5_import_buffer(const void *data, size_t n, const char *name, g5_import *out, char *err,
                     size_t errlen);
void g5_import_free(g5_import *imp);

#endif
