/* Entry point of the UPF as a process: `glass5g run --nf upf -c upf.yaml`. */
#ifndef G5_NF_UPF_UPF_MAIN_H
#define G5_NF_UPF_UPF_MAIN_H

#include "nf/config.h"

/* Opens the PFCP and N3 sockets and the N6 TUN device from cfg->upf, runs until SIGINT or
 * SIGTERM, frees everything. Returns 0 or a negative g5_err. */
int upf_run(const g5_config *cfg);

#endif
