#ifndef GP_STATE_H
#define GP_STATE_H

#include <sys/types.h>

#include "gp/plan.h"

/*
 * The state directory, $GIT_COMMON_DIR/parallel/ (DESIGN.md 3): the plan,
 * one file per task, logs, prompts and the lock.  Every write is atomic.
 */

/* Values in state files are %-escaped so that inih gives them back unchanged. */
void state_escape(struct strbuf *out, const char *s);
/* Undo state_escape(); returns -1 on a malformed escape. */
int state_unescape(struct strbuf *out, const char *s);

/* The plan as an INI text, and back (p must be fresh: plan_init()). */
void plan_serialize(const struct plan *p, struct strbuf *out);
int plan_parse(struct plan *p, const char *file, const char *buf, size_t len);

/* Write <state_dir>/plan atomically, creating state_dir. */
int state_save_plan(const char *state_dir, const struct plan *p);
/* Read <state_dir>/plan.  A missing plan is an error that says to run 'git parallel plan'. */
int state_load_plan(struct plan *p, const char *state_dir);

/*
 * Who holds <state_dir>/lock: its pid when the lock exists and that
 * process is alive, else 0.
 */
pid_t state_lock_holder(const char *state_dir);

#endif
