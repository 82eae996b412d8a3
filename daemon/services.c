/*
 * services.c: configuration, analysis and alerts joined to the daemon
 * (see services.h).
 */
#include "daemon/log.h"
#include "daemon/services.h"

int
services_load_config(struct simmerd *d, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	d->day_start_hour = 4;
	return 0;
}

int
services_reload(struct simmerd *d, char *err, size_t errlen)
{
	log_info("re-reading the configuration");
	return services_load_config(d, err, errlen);
}

int
services_start(struct simmerd *d, char *err, size_t errlen)
{
	(void)d;
	(void)err;
	(void)errlen;
	return 0;
}

void
services_stop(struct simmerd *d)
{
	(void)d;
}

void
services_entries_submitted(struct simmerd *d, const struct log_item *items, size_t n)
{
	(void)d;
	(void)items;
	(void)n;
}

bool
services_dispatch(struct conn *c, uint32_t msgid, const char *method,
    const msgpack_object *params)
{
	(void)c;
	(void)msgid;
	(void)method;
	(void)params;
	return false;
}
