/* The glass5g configuration file (glass5g.yaml), loaded into typed structs.
 * Every section is optional; defaults give a working single-host network (PLMN 001/01).
 * docs/configuration.md documents each key. */
#ifndef G5_NF_CONFIG_H
#define G5_NF_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define G5_MAX_TACS 16
#define G5_MAX_SLICES 8

typedef struct g5_plmn {
    char mcc[4]; /* 3 digits */
    char mnc[4]; /* 2 or 3 digits */
} g5_plmn;

typedef struct g5_snssai {
    uint8_t sst;
    uint32_t sd; /* 0xFFFFFF = no SD */
} g5_snssai;

typedef struct g5_config {
    struct {
        int level; /* enum g5_log_level */
        char file[256];
    } log;
    g5_plmn plmn;
    struct {
        char name[64];
        char n2_addr[64];
        uint16_t n2_port;
        int sctp_backend; /* 0 auto, 1 kernel, 2 usrsctp */
        uint16_t usrsctp_udp_port;
        uint32_t tacs[G5_MAX_TACS];
        int ntacs;
        g5_snssai slices[G5_MAX_SLICES];
        int nslices;
        uint8_t region_id;
        uint16_t set_id;
        uint8_t pointer;
        uint32_t t3512_s;
        /* NAS algorithm priority lists (TS 33.501 §6.7.1): algorithm numbers 0..3 */
        uint8_t nia_prio[4];
        int n_nia;
        uint8_t nea_prio[4];
        int n_nea;
        bool imeisv_request; /* ask for the IMEISV in the Security Mode Command */
        uint8_t relative_capacity; /* NG Setup Response (TS 38.413 9.3.1.32) */
    } amf;
    struct {
        char path[256];
        char key_file[256];
    } store;
} g5_config;

/* Fills the defaults. */
void g5_config_defaults(g5_config *cfg);
/* Loads path over the defaults. Every error is printed to err (file:line:col: field: what
 * and how to fix); returns 0, or G5_ERR_CONFIG after reporting all errors found. */
int g5_config_load(g5_config *cfg, const char *path, FILE *err);
int g5_config_load_string(g5_config *cfg, const char *yaml, const char *name, FILE *err);

#endif
