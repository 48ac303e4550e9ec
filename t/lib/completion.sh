# Bash completion driver shared by the completion tests (t0021, t2230).

# COMPLETION: git's own completion and bash are there.
GIT_COMPLETION=/usr/share/bash-completion/completions/git
if test -f "$GIT_COMPLETION" && command -v bash >/dev/null
then
	test_set_prereq COMPLETION
fi

# complete_words <words...>: the completions bash would offer for the last
# word, with git's completion and contrib/completion/git-parallel.bash
# loaded, one a line, sorted.
complete_words () {
	cat >comp.bash <<-EOF &&
	. "$GIT_COMPLETION"
	. "$GP_BUILD_DIR/contrib/completion/git-parallel.bash"
	COMP_WORDS=("\$@")
	COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1))
	COMP_LINE="\$*"
	COMP_POINT=\${#COMP_LINE}
	COMPREPLY=()
	__git_wrap__git_main
	printf "%s\n" "\${COMPREPLY[@]}" | sed -e "s/ \$//" -e "/^\$/d" | LC_ALL=C sort
	EOF
	bash comp.bash "$@"
}
