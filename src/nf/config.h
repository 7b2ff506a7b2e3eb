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
#define G5_MAX_UE_POOLS 8

typedef struct g5_plmn {
    char mcc[4]; /* 3 digits */
    char mnc[4]; /* 2 or 3 digits */
} g5_plmn;

typedef struct g5_snssai {
    uint8_t sst;
    uint32_t sd; /* 0xFFFFFF = no SD */
} g5_snssai;

/* ---- smf: section (docs/configuration.md "smf") ---- */
#define G5_SMF_MAX_UPFS 4
#define G5_SMF_MAX_DNNS 8
#define G5_SMF_DNN_MAX 100 /* TS 23.003 9.1: at most 100 octets */

typedef struct g5_smf_upf_cfg {
    char address[64]; /* PFCP peer IPv4 address */
    uint16_t port;
    /* N3 addresses the UPF listens on: IPv4 and/or IPv6, "" = none of that family. The
     * SMF puts them into the F-TEID when it allocates TEIDs (UPF without FTUP) and asks
     * a UPF that allocates for these families (CHOOSE with V4/V6, TS 29.244 §8.2.3). */
    char n3_addr[64];
    char n3_addr6[64];
    char dnns[G5_SMF_MAX_DNNS][G5_SMF_DNN_MAX]; /* none = any */
    int ndnns;
    g5_snssai slices[G5_MAX_SLICES]; /* none = any */
    int nslices;
} g5_smf_upf_cfg;

typedef struct g5_smf_dnn_cfg {
    char name[G5_SMF_DNN_MAX];
    char ipv4_pool[48]; /* CIDR, e.g. "10.45.0.0/16"; "" = no IPv4 */
    char ipv6_pool[64]; /* prefix, e.g. "2001:db8:cafe::/48"; /64 per UE; "" = no IPv6 */
    char dns4[2][16];
    char dns6[2][48];
    uint16_t mtu; /* IPv4 link MTU in PCO, 0 = not sent */
    uint64_t ambr_ul, ambr_dl; /* session-AMBR, bits/s */
} g5_smf_dnn_cfg;

typedef struct g5_smf_config {
    char pfcp_addr[64]; /* local PFCP address */
    uint16_t pfcp_port;
    g5_smf_upf_cfg upfs[G5_SMF_MAX_UPFS];
    int nupfs;
    g5_smf_dnn_cfg dnns[G5_SMF_MAX_DNNS];
    int ndnns;
    uint8_t default_5qi;
    uint8_t arp_priority; /* 1..15 */
    bool arp_preempt_cap, arp_preempt_vuln;
    uint32_t heartbeat_s; /* PFCP heartbeat interval */
    uint32_t t1_ms; /* PFCP request timer T1 */
    uint32_t n1; /* PFCP retransmissions N1 */
} g5_smf_config;

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
        uint32_t t3513_ms, paging_retx; /* paging (docs/amf.md); 0 = the AMF's default */
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
    struct { /* docs/configuration.md "upf:", docs/upf.md */
        bool enabled; /* `glass5g run` hosts this UPF in its process */
        char pfcp_addr[64];
        uint16_t pfcp_port;
        char n3_addr[64]; /* IPv4 N3 address ("" = none); in the F-TEIDs we allocate */
        char n3_addr6[64]; /* IPv6 N3 address ("" = none); at least one of the two */
        uint16_t n3_port;
        char tun_name[16];
        char tun_addr[64]; /* IPv4 CIDR given to the TUN device, "" = none */
        char tun_addr6[64]; /* IPv6 CIDR, "" = none */
        char ue_pools[G5_MAX_UE_POOLS][64]; /* CIDRs routed into the TUN device */
        int n_ue_pools;
        uint32_t max_sessions;
        uint32_t err_ind_per_s;
    } upf;
    g5_smf_config smf;
    struct { /* docs/configuration.md "ctl:", docs/ctl.md: the operator control socket */
        bool enabled;
        char socket[108]; /* unix socket path; "" = "<store.path>-ctl" */
        int mode; /* enum: 0 = 0600 (owner only), 1 = 0660 (owner and group) */
    } ctl;
} g5_config;

/* Defaults of the smf: section alone (g5_config_defaults calls it). */
void g5_config_smf_defaults(g5_smf_config *smf);

/* Fills the defaults. */
void g5_config_defaults(g5_config *cfg);
/* Loads path over the defaults. Every error is printed to err (file:line:col: field: what
 * and how to fix); returns 0, or G5_ERR_CONFIG after reporting all errors found. */
int g5_config_load(g5_config *cfg, const char *path, FILE *err);
int g5_config_load_string(g5_config *cfg, const char *yaml, const char *name, FILE *err);

#endif
