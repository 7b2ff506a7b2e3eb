/* The UE population: a dense array of small sim_ue contexts built from the config's
 * templates by incrementing the SUPI, indexed by SUPI and (while connected) by RAN UE NGAP
 * ID in g5_hmaps. The array is the index-by-position table. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sim/sim.h"

int sim_supi_parse(const char *s, uint64_t *supi, unsigned *ndigits)
{
    if (!strncmp(s, "imsi-", 5))
        s += 5;
    size_t n = strlen(s);
    if (n < 5 || n > 15)
        return G5_ERR_INVALID;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return G5_ERR_INVALID;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *supi = v;
    if (ndigits)
        *ndigits = (unsigned)n;
    return 0;
}

const char *sim_ue_supi_str(const sim_pop *p, const sim_ue *ue, char *buf, size_t cap)
{
    unsigned digits = p->cfg ? p->cfg->ue[ue->group].supi_digits : 15;
    snprintf(buf, cap, "imsi-%0*llu", (int)digits, (unsigned long long)ue->supi);
    return buf;
}

int sim_pop_build(sim_pop *p, const sim_config *cfg, uint32_t limit)
{
    memset(p, 0, sizeof *p);
    p->cfg = cfg;
    g5_hmap_init(&p->by_supi);
    g5_hmap_init(&p->by_ran_id);
    uint64_t total = sim_config_ue_total(cfg);
    if (limit)
        total = limit < total ? limit : total;
    if (total == 0 || total > UINT32_MAX)
        return G5_ERR_INVALID;
    p->ues = calloc(total, sizeof *p->ues);
    if (!p->ues)
        return G5_ERR_NOMEM;
    p->next_ran_id = 1;
    for (unsigned g = 0; g < cfg->nue && p->n < total; g++) {
        const sim_ue_template *t = &cfg->ue[g];
        for (uint32_t i = 0; i < t->count && p->n < total; i++) {
            sim_ue *ue = &p->ues[p->n];
            ue->supi = t->supi_first + i;
            ue->sqn = t->sqn;
            ue->index = p->n;
            ue->group = (uint8_t)g;
            if (g5_hmap_get(&p->by_supi, ue->supi)) {
                sim_pop_free(p);
                return G5_ERR_EXISTS;
            }
            if (g5_hmap_put(&p->by_supi, ue->supi, ue) != 0) {
                sim_pop_free(p);
                return G5_ERR_NOMEM;
            }
            p->n++;
        }
    }
    return 0;
}

void sim_pop_free(sim_pop *p)
{
    g5_hmap_free(&p->by_supi);
    g5_hmap_free(&p->by_ran_id);
    free(p->ues);
    p->ues = NULL;
    p->n = 0;
}

sim_ue *sim_pop_by_index(const sim_pop *p, uint64_t index)
{
    return index < p->n ? &p->ues[index] : NULL;
}

sim_ue *sim_pop_by_supi(const sim_pop *p, uint64_t supi)
{
    return g5_hmap_get(&p->by_supi, supi);
}

sim_ue *sim_pop_by_ran_id(const sim_pop *p, uint32_t ran_ue_ngap_id)
{
    return g5_hmap_get(&p->by_ran_id, ran_ue_ngap_id);
}

int sim_pop_connect(sim_pop *p, sim_ue *ue)
{
    if (ue->cm_state == SIM_CM_CONNECTED)
        return G5_ERR_STATE;
    if (g5_hmap_len(&p->by_ran_id) >= UINT32_MAX)
        return G5_ERR_LIMIT;
    uint32_t id = p->next_ran_id;
    while (g5_hmap_get(&p->by_ran_id, id))
        id++; /* wraps through 2^32 values; fewer are in use (checked above) */
    int rc = g5_hmap_put(&p->by_ran_id, id, ue);
    if (rc)
        return rc;
    p->next_ran_id = id + 1;
    ue->ran_ue_ngap_id = id;
    ue->cm_state = SIM_CM_CONNECTED;
    return 0;
}

void sim_pop_release(sim_pop *p, sim_ue *ue)
{
    if (ue->cm_state != SIM_CM_CONNECTED)
        return;
    g5_hmap_del(&p->by_ran_id, ue->ran_ue_ngap_id);
    ue->cm_state = SIM_CM_IDLE;
}
