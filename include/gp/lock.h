#ifndef GP_LOCK_H
#define GP_LOCK_H

/*
 * Reading <state_dir>/lock, the lock that run, merge and clean take
 * (state_lock_acquire() writes it: "pid = ", "command = ", "started = ").
 */

/*
 * The command ("run", "merge", "clean") of the live process holding the
 * lock, read in the same read as its pid and start time: NULL when there
 * is no lock, its holder is gone (a stale lock), or the file names no
 * command.  Caller frees.
 */
char *state_lock_command(const char *state_dir);

/*
 * A merge was interrupted (killed) and not finished since: its journal
 * (<state_dir>/merge-journal) is there and no merge holds the lock.  The
 * target branch's short name, or NULL; caller frees.  The target's
 * worktree may then show the merge undone until the next merge finishes it.
 */
char *state_merge_interrupted(const char *state_dir);
/* The same, as a warning on stderr (run and check print it). */
void warn_merge_interrupted(const char *state_dir);

#endif
