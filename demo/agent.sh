#!/bin/sh
# The demo's stand-in for a coding agent (claude -p, codex, aider ...).
# It reads its task only from the environment and the prompt file, as a
# real agent would, and "implements" it by writing each declared file.
set -e
echo "agent: working on $GIT_PARALLEL_TASK_ID: $GIT_PARALLEL_TITLE"
echo "agent: prompt in $GIT_PARALLEL_PROMPT ($(wc -l <"$GIT_PARALLEL_PROMPT") lines)"
sleep "0.$(( $(printf '%s' "$GIT_PARALLEL_TASK_ID" | cksum | cut -d' ' -f1) % 8 + 2 ))"
printf '%s\n' "$GIT_PARALLEL_PATHS" | while IFS= read -r path; do
	[ -n "$path" ] || continue
	case "$path" in */) path="${path}README.md" ;; esac
	mkdir -p "$(dirname "$path")"
	case "$path" in
	*.py) printf '# %s: %s\n\ndef %s():\n    return "%s"\n\n' \
		"$GIT_PARALLEL_TASK_ID" "$GIT_PARALLEL_TITLE" \
		"$(echo "$GIT_PARALLEL_TASK_ID" | tr 'A-Z' 'a-z')" "$GIT_PARALLEL_TASK_ID" >>"$path" ;;
	*) printf '%s: %s\n' "$GIT_PARALLEL_TASK_ID" "$GIT_PARALLEL_TITLE" >>"$path" ;;
	esac
	echo "agent: wrote $path"
done
