/* glass5g-sim configuration (sim.yaml): the gNB, the UE templates the population is built
 * from, fault rules and the control socket. Keys follow what UERANSIM users know, in
 * snake_case; docs/simulator.md documents each. Errors are reported as
 * file:line:col: field: what and how to fix; K/OP/OPc never appear in any message. */
#ifndef G5_SIM_CONFIG_H
#define G5_SIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sim_fault.h"

#define SIM_MAX_SLICES 8
#define SIM_MAX_AMFS 4
#define SIM_MAX_GROUPS 16
#define SIM_MAX_TPL_SESSIONS 4 /* = SIM_UP_MAX_SESS: one entry per PSI */

typedef struct sim_snssai {
    uint8_t sst;
    uint32_t sd; /* 0xFFFFFF = no SD (TS 23.003 28.4.2) */
} sim_snssai;

enum sim_sctp_backend { SIM_SCTP_AUTO = 0, SIM_SCTP_KERNEL = 1, SIM_SCTP_USRSCTP = 2 };
enum sim_protection { SIM_PROT_NULL = 0, SIM_PROT_A = 1, SIM_PROT_B = 2 }; /* TS 33.501 C.2 */
enum sim_session_type { SIM_SESS_IPV4 = 0, SIM_SESS_IPV6 = 1, SIM_SESS_IPV4V6 = 2 };

typedef struct sim_gnb_config {
    char mcc[4], mnc[4];
    uint64_t nci; /* NR Cell Identity, 36 bits (TS 38.413 9.3.1.7) */
    uint32_t id_length; /* gNB ID length in bits, 22..32; the gNB ID is the NCI's top bits */
    uint32_t tac; /* 24 bits */
    sim_snssai slices[SIM_MAX_SLICES];
    unsigned nslices;
    struct {
        char address[64];
        uint16_t port;
        uint16_t udp_port; /* usrsctp: this AMF's encapsulation port (0 = gnb.n2's) */
    } amf[SIM_MAX_AMFS];
    unsigned namf;
    char n2_address[64]; /* local N2 (NGAP/SCTP) address */
    char n3_address[64]; /* local N3 (GTP-U) IPv4 address, "" = none */
    char n3_address6[64]; /* local N3 IPv6 address, "" = none (at least one of the two) */
    int sctp_backend; /* enum sim_sctp_backend */
    uint16_t usrsctp_udp_port; /* SCTP over UDP encapsulation port (RFC 6951) */
} sim_gnb_config;

/* A UE template; `count` UEs are built from it by incrementing the SUPI. */
typedef struct sim_ue_template {
    char mcc[4], mnc[4];
    uint64_t supi_first; /* IMSI digits as a number */
    unsigned supi_digits; /* 15 usually; leading zeros are kept when printing */
    uint32_t count;
    uint8_t key[16]; /* K: secret, never printed */
    uint8_t op[16]; /* OP or OPc: secret, never printed */
    bool op_is_opc;
    uint8_t amf[2]; /* authentication management field (TS 33.102 6.3.7) */
    uint64_t sqn; /* initial SQN, 48 bits */
    int protection_scheme; /* enum sim_protection */
    uint8_t hn_public_key[65];
    unsigned hn_public_key_len; /* 32 (profile A, X25519) or 33/65 (profile B, P-256) */
    uint32_t hn_key_id; /* 0..255 */
    char routing_indicator[5]; /* 1-4 digits */
    sim_snssai slices[SIM_MAX_SLICES];
    unsigned nslices;
    char dnn[100];
    int session_type; /* enum sim_session_type */
    /* per PDU session (PSI 1, 2, ...): DNN, type, S-NSSAI; unset fields = the above */
    struct {
        char dnn[100];
        int session_type; /* -1 = session_type above */
        bool has_slice;
        sim_snssai slice;
    } sessions[SIM_MAX_TPL_SESSIONS];
    unsigned nsessions;
    bool tun; /* a TUN device uesimtunN per PDU session (sim/ue_tun.c) */
    bool netns; /* ... inside its own network namespace of the same name */
    char imei[16]; /* 15 digits or empty */
    char imeisv[17]; /* 16 digits or empty */
} sim_ue_template;

typedef struct sim_config {
    sim_gnb_config gnb;
    sim_ue_template ue[SIM_MAX_GROUPS];
    unsigned nue;
    sim_faults faults;
    char ctl_path[108]; /* unix socket of the control interface */
    struct {
        uint32_t ping_rate; /* in-process echo requests/s per active PDU session, 0 = off */
        char ping_ipv4[48], ping_ipv6[48]; /* their destinations (behind the UPF's N6) */
    } traffic;
    int log_level; /* enum g5_log_level */
} sim_config;

void sim_config_defaults(sim_config *cfg);
/* Loads over the defaults; every error goes to err (NULL = stderr). Returns 0 or
 * G5_ERR_CONFIG after reporting all errors found. */
int sim_config_load(sim_config *cfg, const char *path, FILE *err);
int sim_config_load_string(sim_config *cfg, const char *yaml, const char *name, FILE *err);
/* A DNN as TS 23.003 §9.1 spells it: labels of letters, digits and hyphens separated by
 * dots, at most 99 characters here. */
bool sim_dnn_valid(const char *dnn);
/* Total UEs over all templates. */
uint64_t sim_config_ue_total(const sim_config *cfg);
/* Wipes K and OP/OPc of every template (before freeing the config). */
void sim_config_wipe(sim_config *cfg);

#endif
