/*
 * glue.c: what a statically linked libgit2 (Makefile, STATIC_LIBGIT2)
 * takes from here, linked into every program of that build only.
 *
 * mbedTLS's CA bundle: see git-parallel.c.  Linked with
 * -Wl,--wrap=mbedtls_x509_crt_parse_file, libgit2's calls come here.
 *
 * GSSAPI, without Kerberos.  libgit2 calls GSSAPI only to
 * authenticate an HTTP connection by Negotiate; git-parallel makes no
 * connection through libgit2 (remotes are the git CLI's).  Every call
 * fails (GSS_S_FAILURE) and nothing is allocated, so there is nothing to
 * release: libgit2 then offers no Negotiate authentication.  Linked only
 * into the static build: the shared libgit2 brings the real library.
 */
#include <stddef.h>
#include <stdint.h>

int gp_skip_ca_bundle;

int __real_mbedtls_x509_crt_parse_file(void *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path);

int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	return gp_skip_ca_bundle ? 0 : __real_mbedtls_x509_crt_parse_file(chain, path);
}

#define GSS_S_COMPLETE 0u
#define GSS_S_FAILURE (13u << 16)

void *GSS_C_NT_HOSTBASED_SERVICE;

uint32_t gss_indicate_mechs(uint32_t *minor, void **mechs);
uint32_t gss_import_name(uint32_t *minor, void *name, void *type, void **out);
uint32_t gss_init_sec_context(uint32_t *minor, void *cred, void **ctx, void *target, void *mech,
			      uint32_t req_flags, uint32_t time_req, void *bindings, void *input,
			      void **actual_mech, void *output, uint32_t *ret_flags, uint32_t *time_rec);
uint32_t gss_display_status(uint32_t *minor, uint32_t status, int type, void *mech,
			    uint32_t *message_context, void *string);
uint32_t gss_delete_sec_context(uint32_t *minor, void **ctx, void *output);
uint32_t gss_release_buffer(uint32_t *minor, void *buffer);
uint32_t gss_release_name(uint32_t *minor, void **name);
uint32_t gss_release_oid_set(uint32_t *minor, void **set);

static uint32_t fail(uint32_t *minor)
{
	if (minor)
		*minor = 0;
	return GSS_S_FAILURE;
}

uint32_t gss_indicate_mechs(uint32_t *minor, void **mechs)
{
	if (mechs)
		*mechs = NULL;
	return fail(minor);
}

uint32_t gss_import_name(uint32_t *minor, void *name, void *type, void **out)
{
	if (out)
		*out = NULL;
	return fail(minor);
}

uint32_t gss_init_sec_context(uint32_t *minor, void *cred, void **ctx, void *target, void *mech,
			      uint32_t req_flags, uint32_t time_req, void *bindings, void *input,
			      void **actual_mech, void *output, uint32_t *ret_flags, uint32_t *time_rec)
{
	return fail(minor);
}

uint32_t gss_display_status(uint32_t *minor, uint32_t status, int type, void *mech,
			    uint32_t *message_context, void *string)
{
	if (message_context)
		*message_context = 0;
	return fail(minor);
}

uint32_t gss_delete_sec_context(uint32_t *minor, void **ctx, void *output)
{
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}

uint32_t gss_release_buffer(uint32_t *minor, void *buffer)
{
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}

uint32_t gss_release_name(uint32_t *minor, void **name)
{
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}

uint32_t gss_release_oid_set(uint32_t *minor, void **set)
{
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}
