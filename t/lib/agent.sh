#!/bin/sh
# A stand-in for a coding agent: for each path the task declares, append a
# line naming the task.  AGENT_SLEEP delays it; AGENT_ENV=file dumps the
# environment.
test -n "$AGENT_SLEEP" && sleep "$AGENT_SLEEP"
test -n "$AGENT_ENV" && env >"$AGENT_ENV.$GIT_PARALLEL_TASK_ID"
printf '%s\n' "$GIT_PARALLEL_PATHS" | while IFS= read -r p
do
	test -n "$p" || continue
	case "$p" in */) p="${p}file.txt" ;; esac
	mkdir -p "$(dirname "$p")"
	echo "$GIT_PARALLEL_TASK_ID was here" >>"$p"
done
