/*
 * Unit tests for src/trust.c and the terminal escaping of src/output.c:
 * a trust ID names one content of one path; the store keeps one ID per
 * path, survives a save and a load, and revokes by path; task text for a
 * terminal loses every control character.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "gp/output.h"
#include "gp/trust.h"
#include "gp/util.h"
#include "tap.h"

static void test_ids(const char *dir)
{
	char *a = xstrfmt("%s/a.ini", dir), *b = xstrfmt("%s/b.ini", dir);
	char *ia = trust_id(a, "x", 1), *ia2 = trust_id(a, "x", 1);
	char *ib = trust_id(b, "x", 1), *ic = trust_id(a, "y", 1);

	ok(ia && ia2 && !strcmp(ia, ia2), "the same path and content give the same ID");
	ok(ia && ib && strcmp(ia, ib), "another path, another ID");
	ok(ia && ic && strcmp(ia, ic), "another content, another ID");
	is_str(ia ? trust_id_path(ia) : NULL, a, "the ID names the path");
	ok(!trust_id("/no/such/dir/x", "x", 1), "an unresolvable directory gives no ID");
	free(a);
	free(b);
	free(ia);
	free(ia2);
	free(ib);
	free(ic);
}

static void test_store(const char *dir)
{
	struct trust t, u;
	char *a = xstrfmt("%s/a.ini", dir), *b = xstrfmt("%s/b.ini", dir);
	char *ia = trust_id(a, "x", 1), *ia2 = trust_id(a, "changed", 7), *ib = trust_id(b, "x", 1);
	char *store = xstrfmt("%s/parallel-trust", dir);
	struct stat st;

	ok(!trust_load(&t, dir), "a missing store loads empty");
	is_int((int)t.ids.nr, 0, "nothing trusted");
	trust_add(&t, ia);
	trust_add(&t, ib);
	trust_add(&t, ia2);
	is_int((int)t.ids.nr, 2, "one ID per path: trusting new content replaces the old");
	ok(!trust_has(&t, ia) && trust_has(&t, ia2) && trust_has(&t, ib), "the new content is trusted, not the old");
	ok(!trust_save(&t), "saved");
	ok(!stat(store, &st) && (st.st_mode & 0777) == 0600, "the store is 0600");
	ok(!trust_load(&u, dir) && u.ids.nr == 2 && trust_has(&u, ia2) && trust_has(&u, ib),
	   "it loads back");
	is_int((int)trust_revoke(&u, a), 1, "revoke by path");
	ok(!trust_has(&u, ia2) && trust_has(&u, ib), "only that path is forgotten");
	trust_release(&u);
	trust_release(&t);

	write_file_atomic(store, "not a line\n", 11, 0600);
	ok(trust_load(&t, dir) < 0, "a malformed store is an error");
	trust_release(&t);
	unlink(store);
	free(store);
	free(a);
	free(b);
	free(ia);
	free(ia2);
	free(ib);
}

static void test_term(void)
{
	struct strbuf sb = STRBUF_INIT;

	is_str(term_str("plain title, caf\xc3\xa9 \\ ok"), "plain title, caf\xc3\xa9 \\ ok",
	       "text without control characters is kept, backslash included");
	is_str(term_str("a\033[31mb"), "a\\033[31mb", "ESC");
	is_str(term_str("a\rb\tc\nd\a"), "a\\rb\\tc\\nd\\a", "CR, tab, newline, bell");
	is_str(term_str("x\xc2\x9b" "2J"), "x\\302\\2332J", "C1 CSI in UTF-8");
	is_str(term_str("del\x7f"), "del\\177", "DEL");
	is_str(term_str("\033\\"), "\\033\\\\", "a backslash is doubled once something is escaped");
	is_str(term_str(NULL), "", "NULL is empty");
	strbuf_add_term(&sb, "t\001");
	is_str(sb.buf, "t\\001", "strbuf_add_term");
	strbuf_release(&sb);
}

int main(void)
{
	char tmpl[] = "/tmp/t-trust.XXXXXX";
	char *dir = mkdtemp(tmpl), *real;

	git_libgit2_init();
	if (!dir)
		return 1;
	real = realpath(dir, NULL);
	test_ids(real);
	test_store(real);
	test_term();
	rmdir(real);
	free(real);
	git_libgit2_shutdown();
	return tap_done();
}
