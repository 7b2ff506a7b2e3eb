/* The PFCP tables: IE descriptors (TS 29.244 Table 8.1.2-1 and clause 8.2), the members of
 * each grouped IE (clause 7.5 tables) and of each message (clauses 7.4 and 7.5) with their
 * presence (M/C/O) and multiplicity. Only "M" drives error handling (§7.6.6); "C" and "O"
 * are kept for documentation and for the JSON face (scalar vs. list).
 *
 * A member limit of 0 means "a list"; 1 means a single IE (extra repetitions are kept for
 * re-encoding but ignored by the typed views, §7.6.10). */
#include "pfcp/pfcp_desc.h"

#include <stddef.h>

#include "pfcp/pfcp.h"

#define N(a) (uint8_t)(sizeof(a) / sizeof((a)[0]))
#define LIST 0

/* ---- flag names (bit i = octet 5 + i/8, bit i%8 + 1) ---- */
static const char *const f_apply_action[] = {
    "drop", "forw", "buff", "nocp", "dupl", "ipma", "ipmd",
    "dfrt", "edrt", "bdpn", "ddpn", "fssm", "mbsu"}; /* §8.2.26 */
static const char *const f_reporting_triggers[] = {
    "perio", "volth", "timth", "quhti", "start", "stopt", "droth", "liusa", "volqu",
    "timqu", "envcl", "macar", "eveth", "evequ", "ipmjl", "quvti", "reemr", "upint"}; /* §8.2.19 */
static const char *const f_usage_report_trigger[] = {
    "perio", "volth", "timth", "quhti", "start", "stopt", "droth", "immer",
    "volqu", "timqu", "liusa", "termr", "monit", "envcl", "macar", "eveth",
    "evequ", "tebur", "ipmjl", "quvti", "emrre", "upint"}; /* §8.2.41 */
static const char *const f_measurement_method[] = {"durat", "volum", "event"}; /* §8.2.40 */
static const char *const f_report_type[] = {"dldr", "usar", "erir", "upir",
                                            "tmir", "sesr", "uisr"}; /* §8.2.21 */
static const char *const f_pfcpsmreq[] = {"drobu", "sndem", "qaurr",
                                          "sumpc", "rumuc", "deteid"}; /* §8.2.31 */
static const char *const f_pfcpsrrsp[] = {"drobu"}; /* §8.2.32 */
static const char *const f_oci[] = {"aoci"}; /* §8.2.76 */
static const char *const f_usage_information[] = {"bef", "aft", "uae", "ube"}; /* §8.2.59 */
static const char *const f_measurement_information[] = {"mbqe", "inam", "radi",
                                                        "istm", "mnop", "sspoc"}; /* §8.2.68 */
static const char *const f_node_report_type[] = {"upfr", "uprr", "ckdr",
                                                 "gpqr", "purr", "vsr"}; /* §8.2.69 */
static const char *const f_cp_features[] = {"load", "ovrl", "epfar", "sset",  "bundl",
                                            "mpas", "ardr", "uiaur", "psucc", "rpgur"};
static const char *const f_up_features[] =
    {/* §8.2.25 */
     "bucp",  "ddnd",  "dlbd",  "trst",  "ftup",  "pfdm",     "heeu",  "treu",  "empu",
     "pdiu",  "udbc",  "quoac", "trace", "frrt",  "pfde",     "epfar", "dpdra", "adpdp",
     "ueip",  "sset",  "mnop",  "mte",   "bundl", "gcom",     "mpas",  "rttl",  "vtime",
     "norp",  "iptv",  "ip6pl", "tscu",  "mptcp", "atsss_ll", "qfqm",  "gpqm",  "mt_edt",
     "ciot",  "ethar", "ddds",  "rds",   "rttwp", "quasf",    "nspoc", "l2tp",  "upber",
     "resps", "iprep", "dnsts", "drqos", "mbsn4", "psuprm",   "epppi", "ratp",  "upidp"};

/* ---- grouped IE members (clause 7.5 tables) ---- */
static const g5_pfcp_child_desc g_pdi[] = {
    /* Table 7.5.2.2-2 */
    {20, P_M, 1},     {21, P_O, 1},  {22, P_O, 1},     {93, P_O, LIST},  {131, P_C, LIST},
    {23, P_O, LIST},  {24, P_O, 1},  {142, P_O, 1},    {132, P_O, LIST}, {124, P_O, LIST},
    {153, P_O, LIST}, {154, P_O, 1}, {155, P_O, LIST}, {160, P_O, 1},    {177, P_O, 1},
};
static const g5_pfcp_child_desc g_create_pdr[] = {
    /* Table 7.5.2.2-1 */
    {56, P_M, 1},    {29, P_C, 1},     {2, P_M, 1},      {95, P_C, 1},  {108, P_C, 1},
    {81, P_C, LIST}, {109, P_C, LIST}, {106, P_C, LIST}, {163, P_O, 1}, {164, P_O, 1},
    {170, P_C, 1},   {179, P_C, 1},    {177, P_O, LIST},
};
static const g5_pfcp_child_desc g_forwarding_parameters[] = {
    /* Table 7.5.2.3-2 */
    {42, P_M, 1}, {22, P_O, 1},  {38, P_C, 1},  {84, P_C, 1},  {30, P_C, 1},  {41, P_C, 1},
    {98, P_O, 1}, {131, P_C, 1}, {137, P_C, 1}, {160, P_O, 1}, {232, P_O, 1},
};
static const g5_pfcp_child_desc g_duplicating_parameters[] = {
    /* Table 7.5.2.3-3 */
    {42, P_M, 1},
    {84, P_C, 1},
    {30, P_C, 1},
    {41, P_C, 1},
};
static const g5_pfcp_child_desc g_create_far[] = {
    /* Table 7.5.2.3-1 */
    {108, P_M, 1}, {44, P_M, 1}, {4, P_C, 1}, {5, P_C, LIST}, {88, P_O, 1},
};
static const g5_pfcp_child_desc g_create_urr[] = {
    /* Table 7.5.2.4-1 */
    {81, P_M, 1},  {62, P_M, 1},     {37, P_M, 1},  {64, P_C, 1},  {31, P_C, 1},     {73, P_C, 1},
    {149, P_C, 1}, {148, P_C, 1},    {32, P_C, 1},  {74, P_C, 1},  {71, P_C, 1},     {72, P_C, 1},
    {181, P_C, 1}, {33, P_O, 1},     {34, P_O, 1},  {35, P_O, 1},  {121, P_O, 1},    {122, P_O, 1},
    {36, P_C, 1},  {82, P_C, LIST},  {100, P_C, 1}, {115, P_C, 1}, {118, P_C, LIST}, {108, P_C, 1},
    {146, P_C, 1}, {147, P_O, LIST}, {182, P_O, 1},
};
static const g5_pfcp_child_desc g_update_urr[] = {
    /* Table 7.5.4.4-1: everything but the URR ID is conditional */
    {81, P_M, 1},    {62, P_C, 1},  {37, P_C, 1},  {64, P_C, 1},     {31, P_C, 1},  {73, P_C, 1},
    {32, P_C, 1},    {74, P_C, 1},  {71, P_C, 1},  {72, P_C, 1},     {33, P_C, 1},  {36, P_C, 1},
    {82, P_C, LIST}, {100, P_C, 1}, {115, P_C, 1}, {118, P_C, LIST}, {108, P_C, 1},
};
static const g5_pfcp_child_desc g_create_qer[] = {
    /* Table 7.5.2.5-1 */
    {109, P_M, 1}, {28, P_C, 1},  {25, P_M, 1},  {26, P_C, 1},  {27, P_C, 1},  {94, P_C, 1},
    {97, P_C, 1},  {124, P_C, 1}, {123, P_C, 1}, {158, P_C, 1}, {157, P_O, 1}, {251, P_C, 1},
};
static const g5_pfcp_child_desc g_update_qer[] = {
    {109, P_M, 1}, {28, P_C, 1},  {25, P_C, 1},  {26, P_C, 1},  {27, P_C, 1},  {94, P_C, 1},
    {97, P_C, 1},  {124, P_C, 1}, {123, P_C, 1}, {158, P_C, 1}, {157, P_C, 1}, {251, P_C, 1},
};
static const g5_pfcp_child_desc g_created_pdr[] = {
    /* Table 7.5.3.2-1 */
    {56, P_M, 1},
    {21, P_C, 1},
    {93, P_C, LIST},
};
static const g5_pfcp_child_desc g_update_pdr[] = {
    /* Table 7.5.4.2-1 */
    {56, P_M, 1},     {95, P_C, 1},    {29, P_C, 1},     {2, P_C, 1},
    {108, P_C, 1},    {81, P_C, LIST}, {109, P_C, LIST}, {106, P_C, LIST},
    {107, P_C, LIST}, {163, P_O, 1},   {164, P_O, 1},
};
static const g5_pfcp_child_desc g_update_far[] = {
    /* Table 7.5.4.3-1 */
    {108, P_M, 1}, {44, P_C, 1}, {11, P_C, 1}, {105, P_C, LIST}, {88, P_C, 1},
};
static const g5_pfcp_child_desc g_update_forwarding_parameters[] = {
    /* Table 7.5.4.3-2 */
    {42, P_C, 1}, {22, P_C, 1}, {38, P_C, 1}, {84, P_C, 1},  {30, P_C, 1},
    {41, P_C, 1}, {98, P_C, 1}, {49, P_C, 1}, {131, P_C, 1}, {160, P_C, 1},
};
static const g5_pfcp_child_desc g_update_duplicating_parameters[] = {
    {42, P_C, 1},
    {84, P_C, 1},
    {30, P_C, 1},
    {41, P_C, 1},
};
static const g5_pfcp_child_desc g_update_bar_srr[] = {
    /* Table 7.5.9.2-1 */
    {88, P_M, 1}, {46, P_C, 1}, {47, P_C, 1}, {48, P_C, 1}, {140, P_C, 1},
};
static const g5_pfcp_child_desc g_create_bar[] = {
    /* Table 7.5.2.6-1 (and Update BAR, Table 7.5.4.11-1) */
    {88, P_M, 1},
    {46, P_C, 1},
    {140, P_C, 1},
    {249, P_O, 1},
};
static const g5_pfcp_child_desc g_remove_pdr[] = {{56, P_M, 1}};
static const g5_pfcp_child_desc g_remove_far[] = {{108, P_M, 1}};
static const g5_pfcp_child_desc g_remove_urr[] = {{81, P_M, 1}};
static const g5_pfcp_child_desc g_remove_qer[] = {{109, P_M, 1}};
static const g5_pfcp_child_desc g_remove_bar[] = {{88, P_M, 1}};
static const g5_pfcp_child_desc g_query_urr[] = {{81, P_M, 1}};
static const g5_pfcp_child_desc g_load_control[] = {{52, P_M, 1}, {53, P_M, 1}};
static const g5_pfcp_child_desc g_overload_control[] = {
    {52, P_M, 1},
    {53, P_M, 1},
    {55, P_M, 1},
    {110, P_C, 1},
};
static const g5_pfcp_child_desc g_app_ids_pfds[] = {{24, P_M, 1}, {59, P_C, LIST}};
static const g5_pfcp_child_desc g_pfd_context[] = {{61, P_M, LIST}};
static const g5_pfcp_child_desc g_app_detection_info[] = {
    {24, P_M, 1},
    {91, P_C, 1},
    {92, P_C, 1},
    {56, P_C, 1},
};
static const g5_pfcp_child_desc g_usage_report[] = {
    /* Tables 7.5.5.2-1, 7.5.7.2-1, 7.5.8.3-1 */
    {81, P_M, 1}, {104, P_M, 1}, {63, P_M, 1},     {75, P_C, 1},  {76, P_C, 1}, {66, P_C, 1},
    {67, P_C, 1}, {68, P_C, 1},  {93, P_C, 1},     {22, P_C, 1},  {69, P_C, 1}, {70, P_C, 1},
    {90, P_C, 1}, {125, P_C, 1}, {156, P_C, LIST}, {143, P_C, 1},
};
static const g5_pfcp_child_desc g_downlink_data_report[] = {
    /* Table 7.5.8.2-1 */
    {56, P_M, LIST},
    {45, P_C, LIST},
    {250, P_O, 1},
    {260, P_C, 1},
};
static const g5_pfcp_child_desc g_error_indication_report[] = {{21, P_M, LIST}};
static const g5_pfcp_child_desc g_up_path_failure_report[] = {{103, P_M, LIST}};
static const g5_pfcp_child_desc g_aggregated_urrs[] = {{120, P_M, 1}, {119, P_M, 1}};
static const g5_pfcp_child_desc g_create_traffic_endpoint[] = {
    {131, P_M, 1},
    {21, P_C, 1},
    {22, P_O, 1},
    {93, P_C, LIST},
};
static const g5_pfcp_child_desc g_remove_traffic_endpoint[] = {{131, P_M, 1}};
static const g5_pfcp_child_desc g_ethernet_packet_filter[] = {
    {138, P_C, 1}, {139, P_C, 1}, {133, P_O, LIST}, {136, P_O, 1},
    {134, P_O, 1}, {135, P_O, 1}, {23, P_O, LIST},
};
static const g5_pfcp_child_desc g_ethernet_traffic_info[] = {{144, P_C, LIST}, {145, P_C, LIST}};
static const g5_pfcp_child_desc g_additional_monitoring_time[] = {
    {33, P_M, 1}, {34, P_O, 1}, {35, P_O, 1}, {121, P_O, 1}, {122, P_O, 1},
};
static const g5_pfcp_child_desc g_updated_pdr[] = {{56, P_M, 1}, {21, P_C, 1}};
static const g5_pfcp_child_desc g_ue_ip_pool_info[] = {
    {177, P_M, LIST},
    {22, P_O, 1},
    {257, P_O, LIST},
    {258, P_O, 1},
};
static const g5_pfcp_child_desc g_partial_failure_info[] = {
    {114, P_M, 1},
    {19, P_M, 1},
    {274, P_M, 1},
};

/* ---- IE descriptors, indexed by type ---- */
/* Designated initializers: the field order of g5_pfcp_ie_desc does not matter here. */
#define HEX(n, min) \
    { \
        .name = (n), .kind = PK_HEX, .min_len = (min) \
    }
#define FIXED(n, k, len) \
    { \
        .name = (n), .kind = (k), .min_len = (len), .max_len = (len) \
    }
#define EXT(n, k, min) \
    { \
        .name = (n), .kind = (k), .min_len = (min) \
    }
#define GRP(n, t) \
    { \
        .name = (n), .kind = PK_GROUP, .children = (t), .n_children = N((t)) \
    }
#define FLAGS(n, min, f) \
    { \
        .name = (n), .kind = PK_FLAGS, .min_len = (min), .flags = (f), .n_flags = N((f)) \
    }

static const g5_pfcp_ie_desc ie_descs[G5_PFCP_IE_DESC_N] = {
    [1] = GRP("create_pdr", g_create_pdr),
    [2] = GRP("pdi", g_pdi),
    [3] = GRP("create_far", g_create_far),
    [4] = GRP("forwarding_parameters", g_forwarding_parameters),
    [5] = GRP("duplicating_parameters", g_duplicating_parameters),
    [6] = GRP("create_urr", g_create_urr),
    [7] = GRP("create_qer", g_create_qer),
    [8] = GRP("created_pdr", g_created_pdr),
    [9] = GRP("update_pdr", g_update_pdr),
    [10] = GRP("update_far", g_update_far),
    [11] = GRP("update_forwarding_parameters", g_update_forwarding_parameters),
    [12] = GRP("update_bar_session_report_response", g_update_bar_srr),
    [13] = GRP("update_urr", g_update_urr),
    [14] = GRP("update_qer", g_update_qer),
    [15] = GRP("remove_pdr", g_remove_pdr),
    [16] = GRP("remove_far", g_remove_far),
    [17] = GRP("remove_urr", g_remove_urr),
    [18] = GRP("remove_qer", g_remove_qer),
    [19] = FIXED("cause", PK_U8, 1),
    [20] = EXT("source_interface", PK_IFACE, 1),
    [21] = EXT("f_teid", PK_FTEID, 1),
    [22] = EXT("network_instance", PK_NI, 0),
    [23] = EXT("sdf_filter", PK_SDF, 2),
    [24] = EXT("application_id", PK_STR, 0),
    [25] = EXT("gate_status", PK_GATE, 1),
    [26] = EXT("mbr", PK_BITRATE, 10),
    [27] = EXT("gbr", PK_BITRATE, 10),
    [28] = EXT("qer_correlation_id", PK_U32, 4),
    [29] = EXT("precedence", PK_U32, 4),
    [30] = HEX("transport_level_marking", 2),
    [31] = EXT("volume_threshold", PK_VOLUME, 1),
    [32] = EXT("time_threshold", PK_U32, 4),
    [33] = EXT("monitoring_time", PK_U32, 4),
    [34] = EXT("subsequent_volume_threshold", PK_VOLUME, 1),
    [35] = EXT("subsequent_time_threshold", PK_U32, 4),
    [36] = EXT("inactivity_detection_time", PK_U32, 4),
    [37] = FLAGS("reporting_triggers", 2, f_reporting_triggers),
    [38] = HEX("redirect_information", 3),
    [39] = FLAGS("report_type", 1, f_report_type),
    [40] = FIXED("offending_ie", PK_U16, 2),
    [41] = HEX("forwarding_policy", 1),
    [42] = EXT("destination_interface", PK_IFACE, 1),
    [43] = FLAGS("up_function_features", 1, f_up_features),
    [44] = FLAGS("apply_action", 1, f_apply_action),
    [45] = HEX("downlink_data_service_information", 1),
    [46] = EXT("downlink_data_notification_delay", PK_U8, 1),
    [47] = HEX("dl_buffering_duration", 1),
    [48] = HEX("dl_buffering_suggested_packet_count", 0),
    [49] = FLAGS("pfcpsmreq_flags", 1, f_pfcpsmreq),
    [50] = FLAGS("pfcpsrrsp_flags", 1, f_pfcpsrrsp),
    [51] = GRP("load_control_information", g_load_control),
    [52] = FIXED("sequence_number", PK_U32, 4),
    [53] = FIXED("metric", PK_U8, 1),
    [54] = GRP("overload_control_information", g_overload_control),
    [55] = EXT("timer", PK_TIMER, 1),
    [56] = EXT("pdr_id", PK_U16, 2),
    [57] = EXT("f_seid", PK_FSEID, 9),
    [58] = GRP("application_ids_pfds", g_app_ids_pfds),
    [59] = GRP("pfd_context", g_pfd_context),
    [60] = EXT("node_id", PK_NODE_ID, 1),
    [61] = HEX("pfd_contents", 2),
    [62] = FLAGS("measurement_method", 1, f_measurement_method),
    [63] = FLAGS("usage_report_trigger", 2, f_usage_report_trigger),
    [64] = EXT("measurement_period", PK_U32, 4),
    [65] = HEX("fq_csid", 1),
    [66] = EXT("volume_measurement", PK_VOLMEAS, 1),
    [67] = EXT("duration_measurement", PK_U32, 4),
    [68] = GRP("application_detection_information", g_app_detection_info),
    [69] = EXT("time_of_first_packet", PK_U32, 4),
    [70] = EXT("time_of_last_packet", PK_U32, 4),
    [71] = EXT("quota_holding_time", PK_U32, 4),
    [72] = HEX("dropped_dl_traffic_threshold", 1),
    [73] = EXT("volume_quota", PK_VOLUME, 1),
    [74] = EXT("time_quota", PK_U32, 4),
    [75] = EXT("start_time", PK_U32, 4),
    [76] = EXT("end_time", PK_U32, 4),
    [77] = GRP("query_urr", g_query_urr),
    [78] = GRP("usage_report_session_modification_response", g_usage_report),
    [79] = GRP("usage_report_session_deletion_response", g_usage_report),
    [80] = GRP("usage_report_session_report_request", g_usage_report),
    [81] = EXT("urr_id", PK_U32, 4),
    [82] = EXT("linked_urr_id", PK_U32, 4),
    [83] = GRP("downlink_data_report", g_downlink_data_report),
    [84] = EXT("outer_header_creation", PK_OHC, 2),
    [85] = GRP("create_bar", g_create_bar),
    [86] = GRP("update_bar_session_modification_request", g_create_bar),
    [87] = GRP("remove_bar", g_remove_bar),
    [88] = EXT("bar_id", PK_U8, 1),
    [89] = FLAGS("cp_function_features", 1, f_cp_features),
    [90] = FLAGS("usage_information", 1, f_usage_information),
    [91] = EXT("application_instance_id", PK_STR, 0),
    [92] = HEX("flow_information", 3),
    [93] = EXT("ue_ip_address", PK_UE_IP, 1),
    [94] = HEX("packet_rate", 1),
    [95] = EXT("outer_header_removal", PK_OHR, 1),
    [96] = EXT("recovery_time_stamp", PK_U32, 4),
    [97] = HEX("dl_flow_level_marking", 1),
    [98] = HEX("header_enrichment", 1),
    [99] = GRP("error_indication_report", g_error_indication_report),
    [100] = FLAGS("measurement_information", 1, f_measurement_information),
    [101] = FLAGS("node_report_type", 1, f_node_report_type),
    [102] = GRP("user_plane_path_failure_report", g_up_path_failure_report),
    [103] = HEX("remote_gtp_u_peer", 1),
    [104] = FIXED("ur_seqn", PK_U32, 4),
    [105] = GRP("update_duplicating_parameters", g_update_duplicating_parameters),
    [106] = EXT("activate_predefined_rules", PK_STR, 0),
    [107] = EXT("deactivate_predefined_rules", PK_STR, 0),
    [108] = EXT("far_id", PK_U32, 4),
    [109] = EXT("qer_id", PK_U32, 4),
    [110] = FLAGS("oci_flags", 1, f_oci),
    [111] = HEX("pfcp_association_release_request", 1),
    [112] = EXT("graceful_release_period", PK_TIMER, 1),
    [113] = EXT("pdn_type", PK_PDN, 1),
    [114] = HEX("failed_rule_id", 1),
    [115] = HEX("time_quota_mechanism", 1),
    [117] = EXT("user_plane_inactivity_timer", PK_U32, 4),
    [118] = GRP("aggregated_urrs", g_aggregated_urrs),
    [119] = HEX("multiplier", 12),
    [120] = FIXED("aggregated_urr_id", PK_U32, 4),
    [121] = EXT("subsequent_volume_quota", PK_VOLUME, 1),
    [122] = EXT("subsequent_time_quota", PK_U32, 4),
    [123] = HEX("rqi", 1),
    [124] = EXT("qfi", PK_QFI, 1),
    [125] = EXT("query_urr_reference", PK_U32, 4),
    [126] = HEX("additional_usage_reports_information", 2),
    [127] = GRP("create_traffic_endpoint", g_create_traffic_endpoint),
    [128] = GRP("created_traffic_endpoint", g_create_traffic_endpoint),
    [129] = GRP("update_traffic_endpoint", g_create_traffic_endpoint),
    [130] = GRP("remove_traffic_endpoint", g_remove_traffic_endpoint),
    [131] = EXT("traffic_endpoint_id", PK_U8, 1),
    [132] = GRP("ethernet_packet_filter", g_ethernet_packet_filter),
    [133] = HEX("mac_address", 1),
    [134] = HEX("c_tag", 3),
    [135] = HEX("s_tag", 3),
    [136] = HEX("ethertype", 2),
    [137] = HEX("proxying", 1),
    [138] = EXT("ethernet_filter_id", PK_U32, 4),
    [139] = HEX("ethernet_filter_properties", 1),
    [140] = EXT("suggested_buffering_packets_count", PK_U8, 1),
    [141] = HEX("user_id", 1),
    [142] = HEX("ethernet_pdu_session_information", 1),
    [143] = GRP("ethernet_traffic_information", g_ethernet_traffic_info),
    [144] = HEX("mac_addresses_detected", 7),
    [145] = HEX("mac_addresses_removed", 7),
    [146] = EXT("ethernet_inactivity_timer", PK_U32, 4),
    [147] = GRP("additional_monitoring_time", g_additional_monitoring_time),
    [148] = EXT("event_quota", PK_U32, 4),
    [149] = EXT("event_threshold", PK_U32, 4),
    [150] = EXT("subsequent_event_quota", PK_U32, 4),
    [151] = EXT("subsequent_event_threshold", PK_U32, 4),
    [152] = HEX("trace_information", 7),
    [153] = EXT("framed_route", PK_STR, 0),
    [154] = FIXED("framed_routing", PK_U32, 4),
    [155] = EXT("framed_ipv6_route", PK_STR, 0),
    [156] = EXT("time_stamp", PK_U32, 4),
    [157] = EXT("averaging_window", PK_U32, 4),
    [158] = HEX("paging_policy_indicator", 1),
    [159] = EXT("apn_dnn", PK_NI, 0),
    [160] = HEX("3gpp_interface_type", 1),
    [161] = HEX("pfcpsrreq_flags", 1),
    [162] = HEX("pfcpaureq_flags", 1),
    [163] = EXT("activation_time", PK_U32, 4),
    [164] = EXT("deactivation_time", PK_U32, 4),
    [170] = EXT("mar_id", PK_U16, 2),
    [177] = HEX("ue_ip_address_pool_identity", 2),
    [178] = HEX("alternative_smf_ip_address", 1),
    [179] = HEX("packet_replication_and_detection_carry_on_information", 1),
    [180] = HEX("smf_set_id", 0),
    [181] = EXT("quota_validity_time", PK_U32, 4),
    [182] = FIXED("number_of_reports", PK_U16, 2),
    [186] = HEX("pfcpsereq_flags", 1),
    [192] = HEX("source_ip_address", 1),
    [232] = EXT("data_network_access_identifier", PK_STR, 0),
    [233] = GRP("ue_ip_address_pool_information", g_ue_ip_pool_info),
    [249] = HEX("mt_edt_control_information", 1),
    [250] = HEX("dl_data_packets_size", 2),
    [251] = HEX("qer_control_indications", 1),
    [253] = FIXED("nf_instance_id", PK_HEX, 16),
    [256] = GRP("updated_pdr", g_updated_pdr),
    [257] = HEX("s_nssai", 4),
    [258] = HEX("ip_version", 1),
    [259] = HEX("pfcpasreq_flags", 1),
    [260] = HEX("data_status", 1),
    [265] = HEX("mptcp_applicable_indication", 1),
    [268] = HEX("number_of_ue_ip_addresses", 1),
    [272] = GRP("partial_failure_information", g_partial_failure_info),
    [274] = HEX("offending_ie_information", 0),
    [275] = HEX("rat_type", 1),
};

/* ---- message IE tables (clauses 7.4, 7.5) ---- */
static const g5_pfcp_child_desc m_heartbeat_req[] = {{96, P_M, 1}, {192, P_O, 1}};
static const g5_pfcp_child_desc m_heartbeat_rsp[] = {{96, P_M, 1}};
static const g5_pfcp_child_desc m_pfd_mgmt_req[] = {{58, P_O, LIST}, {60, P_O, 1}};
static const g5_pfcp_child_desc m_pfd_mgmt_rsp[] = {{19, P_M, 1}, {40, P_C, 1}, {60, P_O, 1}};
static const g5_pfcp_child_desc m_assoc_setup_req[] = {
    /* Table 7.4.4.1-1 */
    {60, P_M, 1},  {96, P_M, 1},  {43, P_C, 1},     {89, P_C, 1},  {178, P_O, LIST},
    {180, P_C, 1}, {183, P_O, 1}, {233, P_O, LIST}, {259, P_O, 1},
};
static const g5_pfcp_child_desc m_assoc_setup_rsp[] = {
    /* Table 7.4.4.2-1 */
    {60, P_M, 1}, {19, P_M, 1},     {96, P_M, 1},  {43, P_C, 1},
    {89, P_C, 1}, {178, P_O, LIST}, {184, P_O, 1}, {233, P_O, LIST},
};
static const g5_pfcp_child_desc m_assoc_update_req[] = {
    {60, P_M, 1},  {43, P_O, 1},     {89, P_O, 1},  {111, P_C, 1},    {112, P_C, 1},
    {162, P_O, 1}, {178, P_O, LIST}, {180, P_O, 1}, {233, P_O, LIST},
};
static const g5_pfcp_child_desc m_assoc_update_rsp[] = {
    {60, P_M, 1},
    {19, P_M, 1},
    {43, P_O, 1},
    {89, P_O, 1},
};
static const g5_pfcp_child_desc m_assoc_release_req[] = {{60, P_M, 1}};
static const g5_pfcp_child_desc m_assoc_release_rsp[] = {{60, P_M, 1}, {19, P_M, 1}};
static const g5_pfcp_child_desc m_node_report_req[] = {
    {60, P_M, 1},
    {101, P_M, 1},
    {102, P_C, 1},
    {187, P_C, 1},
};
static const g5_pfcp_child_desc m_node_report_rsp[] = {{60, P_M, 1}, {19, P_M, 1}, {40, P_C, 1}};
static const g5_pfcp_child_desc m_session_set_deletion_req[] = {{60, P_M, 1}, {65, P_C, LIST}};
static const g5_pfcp_child_desc m_session_set_deletion_rsp[] = {
    {60, P_M, 1},
    {19, P_M, 1},
    {40, P_C, 1},
};
static const g5_pfcp_child_desc m_session_est_req[] = {
    /* Table 7.5.2.1-1 */
    {60, P_M, 1},   {57, P_M, 1},  {1, P_M, LIST},   {3, P_M, LIST}, {6, P_C, LIST},
    {7, P_C, LIST}, {85, P_O, 1},  {127, P_C, LIST}, {113, P_C, 1},  {65, P_C, LIST},
    {117, P_O, 1},  {141, P_O, 1}, {152, P_O, 1},    {159, P_O, 1},  {165, P_C, LIST},
    {186, P_C, 1},  {257, P_O, 1}, {275, P_O, 1},
};
static const g5_pfcp_child_desc m_session_est_rsp[] = {
    /* Table 7.5.3.1-1 */
    {60, P_M, 1}, {19, P_M, 1},    {40, P_C, 1},  {57, P_C, 1},     {8, P_C, LIST},   {51, P_O, 1},
    {54, P_O, 1}, {65, P_C, LIST}, {114, P_C, 1}, {128, P_C, LIST}, {272, P_C, LIST},
};
static const g5_pfcp_child_desc m_session_mod_req[] = {
    /* Table 7.5.4.1-1 */
    {57, P_C, 1},    {15, P_C, LIST},  {16, P_C, LIST},  {17, P_C, LIST},  {18, P_C, LIST},
    {87, P_C, 1},    {130, P_C, LIST}, {1, P_C, LIST},   {3, P_C, LIST},   {6, P_C, LIST},
    {7, P_C, LIST},  {85, P_C, 1},     {127, P_C, LIST}, {9, P_C, LIST},   {10, P_C, LIST},
    {13, P_C, LIST}, {14, P_C, LIST},  {86, P_C, 1},     {129, P_C, LIST}, {49, P_C, 1},
    {77, P_C, LIST}, {65, P_C, LIST},  {117, P_C, 1},    {125, P_C, 1},    {152, P_C, 1},
};
static const g5_pfcp_child_desc m_session_mod_rsp[] = {
    /* Table 7.5.5.1-1 */
    {19, P_M, 1},     {40, P_C, 1},     {8, P_C, LIST},   {51, P_O, 1},
    {54, P_O, 1},     {78, P_C, LIST},  {114, P_C, 1},    {126, P_C, 1},
    {128, P_C, LIST}, {256, P_C, LIST}, {272, P_C, LIST},
};
static const g5_pfcp_child_desc m_session_del_req[] = {{0, 0, 0}};
static const g5_pfcp_child_desc m_session_del_rsp[] = {
    /* Table 7.5.7.1-1 */
    {19, P_M, 1}, {40, P_C, 1}, {51, P_O, 1}, {54, P_O, 1}, {79, P_C, LIST},
};
static const g5_pfcp_child_desc m_session_report_req[] = {
    /* Table 7.5.8.1-1 */
    {39, P_M, 1}, {83, P_C, 1},  {80, P_C, LIST}, {99, P_C, 1}, {51, P_O, 1},
    {54, P_O, 1}, {126, P_C, 1}, {161, P_C, 1},   {57, P_C, 1},
};
static const g5_pfcp_child_desc m_session_report_rsp[] = {
    /* Table 7.5.9.1-1 */
    {19, P_M, 1}, {40, P_C, 1}, {12, P_C, 1}, {50, P_C, 1}, {57, P_C, 1}, {21, P_C, 1},
};

#define MSG(n, t) \
    { \
        n, t, N(t) \
    }
static const g5_pfcp_msg_desc msg_descs[58] = {
    [1] = MSG("heartbeat_request", m_heartbeat_req),
    [2] = MSG("heartbeat_response", m_heartbeat_rsp),
    [3] = MSG("pfd_management_request", m_pfd_mgmt_req),
    [4] = MSG("pfd_management_response", m_pfd_mgmt_rsp),
    [5] = MSG("association_setup_request", m_assoc_setup_req),
    [6] = MSG("association_setup_response", m_assoc_setup_rsp),
    [7] = MSG("association_update_request", m_assoc_update_req),
    [8] = MSG("association_update_response", m_assoc_update_rsp),
    [9] = MSG("association_release_request", m_assoc_release_req),
    [10] = MSG("association_release_response", m_assoc_release_rsp),
    [11] = {"version_not_supported_response", NULL, 0},
    [12] = MSG("node_report_request", m_node_report_req),
    [13] = MSG("node_report_response", m_node_report_rsp),
    [14] = MSG("session_set_deletion_request", m_session_set_deletion_req),
    [15] = MSG("session_set_deletion_response", m_session_set_deletion_rsp),
    [50] = MSG("session_establishment_request", m_session_est_req),
    [51] = MSG("session_establishment_response", m_session_est_rsp),
    [52] = MSG("session_modification_request", m_session_mod_req),
    [53] = MSG("session_modification_response", m_session_mod_rsp),
    [54] = {"session_deletion_request", m_session_del_req, 0},
    [55] = MSG("session_deletion_response", m_session_del_rsp),
    [56] = MSG("session_report_request", m_session_report_req),
    [57] = MSG("session_report_response", m_session_report_rsp),
};

const g5_pfcp_ie_desc *g5_pfcp_ie_desc_get(uint16_t type)
{
    if (type >= G5_PFCP_IE_DESC_N || !ie_descs[type].name)
        return NULL;
    return &ie_descs[type];
}

const g5_pfcp_msg_desc *g5_pfcp_msg_desc_get(uint8_t type)
{
    if (type >= N(msg_descs) || !msg_descs[type].name)
        return NULL;
    return &msg_descs[type];
}

const g5_pfcp_child_desc *g5_pfcp_child_desc_find(const g5_pfcp_child_desc *t, unsigned n,
                                                  uint16_t type)
{
    for (unsigned i = 0; i < n; i++)
        if (t[i].type == type)
            return &t[i];
    return NULL;
}

const char *g5_pfcp_msg_name(uint8_t type)
{
    const g5_pfcp_msg_desc *d = g5_pfcp_msg_desc_get(type);
    return d ? d->name : NULL;
}

const char *g5_pfcp_ie_name(uint16_t type)
{
    const g5_pfcp_ie_desc *d = g5_pfcp_ie_desc_get(type);
    return d ? d->name : NULL;
}

bool g5_pfcp_msg_is_request(uint8_t type)
{
    /* Requests have odd types in both ranges (Table 7.3-1); 11 is a response. */
    if (type == G5_PFCP_VERSION_NOT_SUPPORTED_RSP)
        return false;
    return (type < 50) ? (type & 1) : !(type & 1);
}

const char *g5_pfcp_cause_name(uint8_t cause)
{
    static const char *const names[] = {
        [1] = "request_accepted",
        [2] = "more_usage_report_to_send",
        [3] = "request_partially_accepted",
        [64] = "request_rejected",
        [65] = "session_context_not_found",
        [66] = "mandatory_ie_missing",
        [67] = "conditional_ie_missing",
        [68] = "invalid_length",
        [69] = "mandatory_ie_incorrect",
        [70] = "invalid_forwarding_policy",
        [71] = "invalid_f_teid_allocation_option",
        [72] = "no_established_pfcp_association",
        [73] = "rule_creation_modification_failure",
        [74] = "pfcp_entity_in_congestion",
        [75] = "no_resources_available",
        [76] = "service_not_supported",
        [77] = "system_failure",
        [78] = "redirection_requested",
        [79] = "all_dynamic_addresses_are_occupied",
    };
    if (cause < N(names) && names[cause])
        return names[cause];
    return cause < 64 ? "unspecified_acceptance" : "unspecified_rejection";
}
