/* Signalling capture: writes the NGAP / NAS / PFCP / GTP-U messages a node sends and
 * receives to a pcap file that Wireshark/tshark open directly.
 *
 * Records use Wireshark's "exported PDU" link type (LINKTYPE_WIRESHARK_UPPER_PDU, 252):
 * each record carries tags naming the dissector ("ngap", "nas-5gs", "pfcp", "gtp") and the
 * IPv4 addresses/ports of the two ends, followed by the message bytes. This captures what
 * the application saw, independent of the transport (kernel SCTP, usrsctp, UDP), which a
 * packet capture of SCTP-over-UDP cannot show as cleanly. */
#ifndef G5_CORE_PCAP_H
#define G5_CORE_PCAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct g5_pcap g5_pcap;

/* Creates/truncates path and writes the pcap header. NULL on failure (errno set). */
g5_pcap *g5_pcap_open(const char *path);
/* Appends one message. proto is a Wireshark dissector name; addresses are IPv4 in host
 * byte order (0 = omit the address tags); ports 0 = omit. Returns 0 or G5_ERR_IO. */
int g5_pcap_write(g5_pcap *pc, const char *proto, uint32_t src_ip, uint16_t src_port,
                  uint32_t dst_ip, uint16_t dst_port, const uint8_t *data, size_t len);
void g5_pcap_close(g5_pcap *pc);

#endif
