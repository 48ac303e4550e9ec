# bash completion for git-parallel, on top of git's own completion
# (git-completion.bash, usually /usr/share/bash-completion/completions/git).
#
# git's completion calls _git_parallel for "git parallel ...".  Installed by
# "make install" into $(bashcompdir); to use it by hand, source git's
# completion first, then this file.

__git_parallel_subcommands="plan run status check merge report clean trust push export worker"

# A plan's task IDs, and only words a task ID can be (git parallel's
# rule: a letter or digit, then letters, digits, '.', '_', '-', one '/'):
# a plan fetched from a remote is somebody else's text, and what completion
# offers lands on the command line.
__git_parallel_id_sed='s|^\[task "\([A-Za-z0-9][A-Za-z0-9._-]*\(/[A-Za-z0-9][A-Za-z0-9._-]*\)\{0,1\}\)"\][[:space:]]*$|\1|p'

# The task IDs of the saved plan ($GIT_COMMON_DIR/parallel/plan).
__git_parallel_task_ids ()
{
	local common
	common=$(git rev-parse --git-common-dir 2>/dev/null) || return 0
	test -f "$common/parallel/plan" || return 0
	sed -n "$__git_parallel_id_sed" "$common/parallel/plan" 2>/dev/null
}

# The task IDs of the plan last fetched from a remote (by worker, status
# --remote or merge --remote), else of the saved plan.
__git_parallel_remote_task_ids ()
{
	local ids
	ids=$(git cat-file blob refs/gp-remote/parallel/plan:plan 2>/dev/null |
		sed -n "$__git_parallel_id_sed")
	if [ -n "$ids" ]; then
		printf '%s\n' "$ids"
	else
		__git_parallel_task_ids
	fi
}

# __git_parallel_operand <first> <subcommand>: which operand the current
# word is (0 for the first), counting the words from <first> on that are
# not options nor the value of an option given as the next word; -1 when
# the current word is such a value.
__git_parallel_operand ()
{
	local i=$1 n=0 w takes
	# the long options that take a value end in "=" in the command's list
	takes=" $(__git parallel "$2" --git-completion-helper 2>/dev/null) "
	while [ $i -le $cword ]; do
		w="${words[i]}"
		if [ $i -eq $cword ]; then
			case "$w" in -*) echo -1 ;; *) echo $n ;; esac
			return
		fi
		case "$w" in
		--) ;;
		--*=*) ;;
		--*) case "$takes" in *" $w= "*)
			i=$((i + 1))
			[ $i -eq $cword ] && { echo -1; return; } ;;
		     esac ;;
		-c|-l|-T) i=$((i + 1))
			[ $i -eq $cword ] && { echo -1; return; } ;;
		-*) ;;
		*) n=$((n + 1)) ;;
		esac
		i=$((i + 1))
	done
	echo -1
}

_git_parallel ()
{
	local subcommand
	local i c=1

	# the subcommand: the first word after "parallel" that is not an option
	while [ $c -lt $cword ]; do
		i="${words[c]}"
		case "$i" in
		parallel) ;;
		--config) c=$((c + 1)) ;;
		-*) ;;
		*) case " $__git_parallel_subcommands " in
		   *" $i "*) subcommand="$i"; break ;;
		   esac ;;
		esac
		c=$((c + 1))
	done

	if [ -z "$subcommand" ]; then
		case "$cur" in
		--*) __gitcomp "--config= --version --help" ;;
		*) __gitcomp "$__git_parallel_subcommands" ;;
		esac
		return
	fi

	case "$cur" in
	--remote=*) __gitcomp_nl "$(__git_remotes)" "" "${cur#--remote=}"; return ;;
	esac

	# options: the command's own list (git parallel <cmd> --git-completion-helper)
	case "$subcommand" in
	plan)
		case "$cur" in
		--base=*) __git_complete_refs --cur="${cur#--base=}"; return ;;
		--*) __gitcomp_builtin parallel_plan; return ;;
		esac
		# task files
		_filedir 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	merge)
		case "$cur" in
		--into=*) __git_complete_refs --cur="${cur#--into=}"; return ;;
		esac
		;;
	report)
		case "$cur" in
		--format=*) __gitcomp "text markdown json" "" "${cur#--format=}"; return ;;
		esac
		__gitcomp_builtin parallel_report
		return
		;;
	trust)
		# trust [--list | --revoke] [<file>...]: files of the repository
		case "$cur" in
		-*) __gitcomp_builtin parallel_trust; return ;;
		esac
		_filedir 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	export)
		case "$cur" in
		--format=*) __gitcomp "github-actions" "" "${cur#--format=}"; return ;;
		esac
		__gitcomp_builtin parallel_export
		return
		;;
	push|worker)
		# push <remote>; worker <remote> <id>
		case "$cur" in
		-*) __gitcomp_builtin "parallel_$subcommand"; return ;;
		esac
		case "$subcommand $(__git_parallel_operand $((c + 1)) $subcommand)" in
		"push 0"|"worker 0") __gitcomp_nl "$(__git_remotes)" ;;
		"worker 1") __gitcomp_nl "$(__git_parallel_remote_task_ids)" ;;
		esac
		return
		;;
	esac

	case "$cur" in
	-*) __gitcomp_builtin "parallel_$subcommand" ;;
	*) __gitcomp_nl "$(__git_parallel_task_ids)" ;;
	esac
}
