# bash completion for git-parallel, on top of git's own completion
# (git-completion.bash, usually /usr/share/bash-completion/completions/git).
#
# git's completion calls _git_parallel for "git parallel ...".  Installed by
# "make install" into $(bashcompdir); to use it by hand, source git's
# completion first, then this file.

__git_parallel_subcommands="plan run status check merge report clean"

# The task IDs of the saved plan ($GIT_COMMON_DIR/parallel/plan).
__git_parallel_task_ids ()
{
	local common
	common=$(git rev-parse --git-common-dir 2>/dev/null) || return 0
	test -f "$common/parallel/plan" || return 0
	sed -n 's/^\[task "\(.*\)"\][[:space:]]*$/\1/p' "$common/parallel/plan" 2>/dev/null
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
	esac

	case "$cur" in
	-*) __gitcomp_builtin "parallel_$subcommand" ;;
	*) __gitcomp_nl "$(__git_parallel_task_ids)" ;;
	esac
}
