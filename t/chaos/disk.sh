# The small-disk scenario (sourced by chaos.sh).
scenario_disk () {
	echo "disk: not written yet"
}
