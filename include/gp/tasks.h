#ifndef GP_TASKS_H
#define GP_TASKS_H

#include "gp/util.h"

/*
 * Tasks as read from task files (DESIGN.md 1.1): spec-kit style markdown
 * checklists and INI [task "ID"] sections.
 */

/* Longest task ID accepted (inih cuts section names at 49 characters). */
#define TASK_ID_MAX 40

struct task {
	char *id;
	char *title;		/* one line: the item text without ID and markers */
	char *text;		/* title plus indented continuation lines, for the prompt */
	char *file;		/* where it was read */
	int line;
	int source;		/* index of the task file it came from */
	int phase;		/* index into tasklist.phases, or -1 */
	/* flags, not bit-fields: the saved plan's field table takes their offsets */
	unsigned char parallel;	/* [P] */
	unsigned char done;	/* [x] / [X] / done = true: listed, never run */
	unsigned char cancelled;	/* [-]: listed as skipped, never run */
	unsigned char auto_id;	/* no ID in the file: "L<line>" */
	/*
	 * Any other status the file gives, or NULL: "in progress",
	 * "deferred", "blocked", "optional", "group" (a parent whose
	 * subtasks are the tasks), "marked [A]" ...  A task with a status
	 * other than "optional" is not run: cancelled is set too.
	 */
	char *status;
	size_t in_group;	/* 1 + index of the group this subtask is in; 0: none */
	char *story;		/* [US1], or NULL */
	struct strlist paths;	/* normalised, repository-relative; directories end in '/' */
	struct strlist depends;	/* explicit dependency IDs, in order */
	char *owner;		/* owner = key, or NULL */
	char *command;		/* command = key, or NULL */
	char *command_from;	/* where it was read: "file:line" */
	char *command_trust;	/* its file came with the repository: the trust ID it needs (trust.h) */
	double estimate;	/* seconds; 0 when not given */
	struct strlist reads;	/* paths only referred to ("per x.md", "see y/"): no shares edge */
};

struct task_phase {
	char *name;		/* heading text */
	char *file;
	int line;
	int source;
	/*
	 * Lines of the phase's section (its intro, or a "Dependencies"
	 * section's list) that say what depends on what ("Depends on US1"),
	 * for plan.c to read as spec-kit means them.
	 */
	struct strlist notes;
};

struct tasklist {
	struct task *v;
	size_t nr, alloc;
	struct task_phase *phases;
	size_t phases_nr, phases_alloc;
	struct strmap index;	/* id -> (void *)(index + 1); built by tasks_validate() */
	/* private to tasks.c: "source\nid" -> index + 1 of INI tasks */
	struct strmap ini_index;
};
#define TASKLIST_INIT { NULL, 0, 0, NULL, 0, 0, STRMAP_INIT, STRMAP_INIT }

void tasklist_init(struct tasklist *tl);
void tasklist_release(struct tasklist *tl);

struct pathres;
/*
 * The files of the base tree, used to decide what a word of a markdown
 * task names (a unique basename, a directory, a dotted identifier that is
 * a file); NULL (the default) reads words by their shape alone.
 * Borrowed: keep it alive while parsing.
 */
void tasks_set_tree(const struct pathres *tree);

/*
 * The directory of the task file being read, from the top of the
 * repository ("specs/002-x/", "" at the top), or NULL when the file is
 * outside it: a markdown link's "../" or "./" target is relative to it.
 * Borrowed, like the tree.
 */
void tasks_set_dir(const char *dir);

/*
 * Parse a markdown task list held in buf (len bytes).  "file" names it in
 * messages; "source" is stored in each task.  Unparseable items are warned
 * about with file:line and skipped.  Returns 0, or -1 after reporting an
 * error (binary data, invalid UTF-8, a path outside the repository in an
 * explicit declaration ...).
 */
int tasks_parse_markdown(struct tasklist *tl, const char *file,
			 const char *buf, size_t len, int source);

/*
 * Read a task file: *.ini is read as INI [task "ID"] sections, anything
 * else as markdown.  Missing files, directories, empty files and files with
 * no task are errors naming the file.
 */
int tasks_load_file(struct tasklist *tl, const char *path, int source);

/*
 * Apply one key of an INI [task "ID"] section (from a task file or the
 * configuration).  The task is created on its first key.  Keys: title,
 * paths, depends, owner, command, estimate, parallel, done.  Unknown keys
 * warn; bad values are errors with file:line.
 */
int tasks_ini_set(struct tasklist *tl, const char *id, const char *key,
		  const char *value, const char *file, int line, int source);

/* Is id a usable task ID?  On failure *why says why. */
int task_id_valid(const char *id, const char *branch_prefix, const char **why);

/*
 * Check the list as a whole: IDs valid (with the branch prefix), no
 * duplicates (the error names both lines), every dependency known.  Builds
 * tl->index.  Returns 0 or -1 after reporting every problem found.
 */
int tasks_validate(struct tasklist *tl, const char *branch_prefix);

/*
 * What the task list says of a task: "todo", "done", "cancelled", or its
 * status ("in progress", "group", "optional" ...).
 */
const char *task_status_name(const struct task *t);

/*
 * A task ID as a file or worktree name: "001-events/T001" (a task
 * qualified by its feature) is "001-events+T001"; '+' is never in an ID.
 * task_fs_name_decode() turns such a name back into the ID, in place.
 */
char *task_fs_name(const char *id);
void task_fs_name_decode(char *name);

/* Index of the task with this ID, or -1.  Needs tasks_validate(). */
long tasks_find(const struct tasklist *tl, const char *id);

#endif
